"""An account's sync health: its last RUNS syncs, in one query whatever the
history's length (on the syncrun_account_created index)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone

from roles.inventory.sync.models import SyncRun
from roles.web.svg import BarChart, BarInput, bar_chart, number

RUNS = 30
SYNC_STATES = {
    "succeeded": "succeeded",
    "partial": "partial: some regions failed",
    "failed": "failed",
}


@dataclass
class SyncRow:
    """One run as the table shows it."""

    pk: int
    started: object
    status: str
    seconds: float | None
    calls: int
    failed_regions: list[str] = field(default_factory=list)
    account_error: str = ""


@dataclass
class SyncHealth:
    duration: BarChart
    calls: BarChart
    runs: list[SyncRow]


def sync_health(account) -> SyncHealth | None:
    """The account's last RUNS finished syncs, oldest first; None before the first."""
    runs = list(
        SyncRun.objects.filter(account=account, status__in=list(SYNC_STATES))
        .order_by("-created")
        .only("status", "created", "started", "finished", "aws_calls", "region_errors", "error")[
            :RUNS
        ]
    )[::-1]
    if not runs:
        return None
    rows = []
    for run in runs:
        duration = run.duration
        rows.append(
            SyncRow(
                run.pk,
                run.started or run.created,
                run.status,
                round(duration.total_seconds(), 1) if duration else None,
                run.aws_calls,
                sorted(run.region_errors),
                run.error.get("code", "error") if run.error else "",
            )
        )
    legend = list(SYNC_STATES.items())
    durations, calls = [], []
    for row in rows:
        when = timezone.localtime(row.started)
        label, failed = when.strftime("%m-%d"), len(row.failed_regions)
        title = (
            f"Sync #{row.pk}, {when:%Y-%m-%d %H:%M}: {row.status}, "
            f"{number(row.seconds or 0)} s, {row.calls} AWS calls"
        )
        if row.failed_regions:
            title += f", errors in {', '.join(row.failed_regions)}"
        note = str(failed) if failed else "!" if row.account_error else ""
        durations.append(BarInput(label, title, [(row.status, row.seconds or 0)], note))
        calls.append(BarInput(label, title, [("calls", row.calls)]))
    span = f"the last {len(rows)} sync{'s' if len(rows) != 1 else ''}"
    slowest = max(rows, key=lambda r: r.seconds or 0)
    erring = sum(1 for r in rows if r.failed_regions or r.account_error)
    return SyncHealth(
        duration=bar_chart(
            "sync-duration",
            "Sync duration in seconds",
            f"{span}: the slowest took {number(slowest.seconds or 0)} s (#{slowest.pk}); "
            f"{erring} had errors. The number above a bar counts the regions that failed.",
            durations,
            legend,
        ),
        calls=bar_chart(
            "sync-calls",
            "AWS calls per sync",
            f"{span}: {min(r.calls for r in rows)} to {max(r.calls for r in rows)} AWS calls.",
            calls,
            [("calls", "AWS calls")],
        ),
        runs=rows[::-1],  # the table reads newest first, like the list below it
    )

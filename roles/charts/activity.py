"""Activity over time: an account's recent syncs, and deletion outcomes per week.

Each is one query whatever the history's length: the last RUNS syncs of the
account (on the syncrun_account_created index), and the ended deletion requests of
the last WEEKS weeks counted per week and state in one GROUP BY.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Count
from django.db.models.functions import TruncWeek
from django.utils import timezone

from roles.charts.svg import BarChart, BarInput, bar_chart, number
from roles.models import DeletionRequest, SyncRun

RUNS = 30
WEEKS = 12
SYNC_STATES = {
    "succeeded": "succeeded",
    "partial": "partial: some regions failed",
    "failed": "failed",
}
# A deletion ended in AWS's error counts as failed: both are retried the same way.
OUTCOMES = {
    "succeeded": "succeeded",
    "failed": "failed (or ended by an AWS error)",
    "rejected": "rejected by an approver",
}
OUTCOME_OF = {
    DeletionRequest.State.SUCCEEDED: "succeeded",
    DeletionRequest.State.FAILED: "failed",
    DeletionRequest.State.ERROR: "failed",
    DeletionRequest.State.REJECTED: "rejected",
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


@dataclass
class Week:
    start: object
    counts: dict[str, int]


def deletion_weeks(requests) -> tuple[BarChart, list[Week]]:
    """Ended deletion requests (of the filtered queryset `requests`) per week and outcome,
    over the last WEEKS weeks, this one included."""
    today = timezone.localdate()
    first = today - timedelta(days=today.weekday(), weeks=WEEKS - 1)
    counted = (
        requests.filter(state__in=list(OUTCOME_OF), finished__date__gte=first)
        .order_by()
        .annotate(week=TruncWeek("finished"))
        .values("week", "state")
        .annotate(n=Count("pk"))
    )
    weeks = [Week(first + timedelta(weeks=n), dict.fromkeys(OUTCOMES, 0)) for n in range(WEEKS)]
    for row in counted:
        index = (timezone.localdate(row["week"]) - first).days // 7
        weeks[index].counts[OUTCOME_OF[row["state"]]] += row["n"]
    bars = [
        BarInput(
            f"{week.start:%m-%d}",
            f"Week of {week.start:%Y-%m-%d}: "
            + ", ".join(f"{n} {key}" for key, n in week.counts.items()),
            list(week.counts.items()),
        )
        for week in weeks
    ]
    totals = {key: sum(w.counts[key] for w in weeks) for key in OUTCOMES}
    chart = bar_chart(
        "deletion-weeks",
        "Deletion outcomes per week",
        f"The last {WEEKS} weeks: "
        + ", ".join(f"{n} {key}" for key, n in totals.items())
        + ". Each bar stacks one week's outcomes.",
        bars,
        list(OUTCOMES.items()),
    )
    return chart, weeks

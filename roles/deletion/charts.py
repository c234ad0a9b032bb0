"""Deletion outcomes per week: the ended requests of the last WEEKS weeks, counted
per week and state in one GROUP BY whatever the history's length."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count
from django.db.models.functions import TruncWeek
from django.utils import timezone

from roles.deletion.models import DeletionRequest
from roles.web.svg import BarChart, BarInput, bar_chart

WEEKS = 12


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

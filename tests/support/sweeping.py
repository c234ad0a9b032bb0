"""The sweeper, limited to cleanup regions, answering as (plan id, region) pairs."""

from __future__ import annotations

from roles.cleanup.operation import CLEANUPS
from roles.models import CleanupRegion
from roles.sweeper import sweep


def redispatch_overdue(grace: float | None = None) -> list[tuple[int, str]]:
    sent = sweep(grace, operations=(CLEANUPS,)).cleanups
    rows = CleanupRegion.objects.filter(pk__in=sent).values_list("pk", "plan_id", "region")
    where = {pk: (plan_id, region) for pk, plan_id, region in rows}
    return [where[pk] for pk in sent]

"""Cleanup regions as the sweeper sees them (roles/jobs.py Operation).

A region that should be running and shows no progress (a lost message, or a
worker that died, once its lease has expired) gets its task again; past the
re-dispatch limit it stops, and the plan ends with what was done.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from roles import jobs
from roles.cleanup.finish import finish_plan
from roles.cleanup.kind import send_region
from roles.jobs import Operation
from roles.models import AuditEvent, CleanupPlan, CleanupRegion, Outcome

PlanState, RegionState = CleanupPlan.State, CleanupRegion.State


def _overdue_q(grace: float) -> Q:
    now = timezone.now()
    cutoff = now - timedelta(seconds=grace)
    return (
        Q(
            plan__state__in=(PlanState.QUEUED, PlanState.RUNNING),
            state__in=(RegionState.PENDING, RegionState.RUNNING, RegionState.WAITING),
            updated__lte=cutoff,
        )
        & (Q(next_run_at__isnull=True) | Q(next_run_at__lte=cutoff))
        & (Q(lease_until__isnull=True) | Q(lease_until__lte=now))
    )


def overdue(grace: float) -> list[int]:
    return list(
        CleanupRegion.objects.filter(_overdue_q(grace)).order_by("pk").values_list("pk", flat=True)
    )


def claim(pk: int, grace: float) -> CleanupRegion | None:
    return (
        CleanupRegion.objects.select_for_update(of=("self",), no_key=True)
        .filter(_overdue_q(grace), pk=pk)
        .select_related("plan", "plan__account")
        .first()
    )


def _audit(row: CleanupRegion, action: str, outcome: str = Outcome.SUCCESS, **details) -> None:
    AuditEvent.objects.record(
        action,
        actor_name="system",
        outcome=outcome,
        target_arn=row.plan.role_arn,
        account_id=row.plan.account.aws_account_id,
        region=row.region,
        details={"cleanup_plan": row.plan_id, "region": row.region, **details},
    )


def sent(row: CleanupRegion) -> None:
    _audit(row, "cleanup.redispatched", state=row.state, dispatch_attempts=jobs.counted(row))


def give_up(row: CleanupRegion) -> None:
    """No worker moved the region on: it stops where it is (its pending steps are
    not run), and the plan ends once every other region has."""
    limit = settings.ROLECALL_SWEEPER_MAX_DISPATCHES
    previous = row.state
    row.last_error = jobs.gave_up("region", row, row.state)
    row.state, row.finished, row.next_run_at = RegionState.STOPPED, timezone.now(), None
    row.lease_token, row.lease_until = "", None
    row.save(
        update_fields=[
            "state",
            "finished",
            "next_run_at",
            "lease_token",
            "lease_until",
            "last_error",
            "updated",
        ]
    )
    _audit(
        row,
        "cleanup.region_stopped",
        Outcome.FAILURE,
        sweeper="gave up",
        state=previous,
        dispatch_attempts=row.dispatch_attempts,
        limit=limit,
    )
    finish_plan(row.plan_id)


CLEANUPS = Operation(
    name="cleanup",
    overdue=overdue,
    claim=claim,
    give_up=give_up,
    redispatch=lambda row: send_region(row.plan_id, row.region),
    sent=sent,
)

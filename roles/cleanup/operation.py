"""Cleanup regions as the sweeper sees them (roles/jobs/__init__.py Operation).

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
from roles.audit.models import AuditEvent, Outcome
from roles.cleanup.finish import close_region
from roles.cleanup.kind import send_region
from roles.cleanup.models import CleanupPlan, CleanupRegion
from roles.jobs import Operation

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
    not run), through the same ending as a region its task stopped; the plan ends
    once every other region has."""
    _audit(
        row,
        "cleanup.region_stopped",
        Outcome.FAILURE,
        sweeper="gave up",
        state=row.state,
        dispatch_attempts=row.dispatch_attempts,
        limit=settings.ROLECALL_SWEEPER_MAX_DISPATCHES,
    )
    close_region(row, RegionState.STOPPED, jobs.gave_up("region", row, row.state))


CLEANUPS = Operation(
    name="cleanup",
    model=CleanupRegion,
    overdue_q=_overdue_q,
    related=("plan", "plan__account"),
    give_up=give_up,
    redispatch=lambda row: send_region(row.plan_id, row.region),
    sent=sent,
)

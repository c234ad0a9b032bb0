"""Cleanup plans as one kind of approved change (roles/approval/__init__.py)."""

from __future__ import annotations

from roles import approval, jobs
from roles.cleanup.models import CleanupPlan, CleanupRegion
from roles.inventory.protection import role_protection

# One region's steps (roles/cleanup/tasks.py), on the changes queue (ready.py).
REGION_TASK = "rolecall.cleanup.region"


class CleanupRefused(approval.Refused):
    """The plan cannot be made or run; the message is shown to the user."""


def refuse_if_protected(plan: CleanupPlan) -> None:
    plan.account.refuse_changes(CleanupRefused)
    reason = role_protection(plan.role)
    if reason:
        raise CleanupRefused(f"Protected: {reason}")


def send_region(plan_id: int, region: str, countdown: float = 0) -> bool:
    """Publish one region's task; a broker failure is left to the sweeper."""
    return jobs.publish(REGION_TASK, plan_id, region, countdown=countdown)


def send_plan_after_commit(plan: CleanupPlan) -> None:
    """Every unfinished region's task, published once the approval commits."""
    regions = plan.regions.exclude(state__in=CleanupRegion.TERMINAL).values_list(
        "region", flat=True
    )
    for region in regions:
        jobs.after_commit(REGION_TASK, plan.pk, region)


CLEANUP = approval.Kind(
    model=CleanupPlan,
    prefix="cleanup",
    path="cleanups",
    task=REGION_TASK,
    refused=CleanupRefused,
    recheck=refuse_if_protected,
    enqueue=send_plan_after_commit,
)

"""Cleanup plans as one kind of approved change (roles/approval.py)."""

from __future__ import annotations

from roles import approval, jobs
from roles.cleanup.plan import CleanupRefused
from roles.models import CleanupPlan, CleanupRegion
from roles.protection import role_protection


def requesters(plan: CleanupPlan) -> set[int]:
    """Who asked for the plan: whoever planned it and whoever confirmed its execution.
    Neither may approve it (two-person approval)."""
    return {pk for pk in (plan.requested_by_id, plan.confirmed_by_id) if pk is not None}


def refuse_if_protected(plan: CleanupPlan) -> None:
    reason = role_protection(plan.role)
    if reason:
        raise CleanupRefused(f"Protected: {reason}")


def send_region(plan_id: int, region: str, countdown: float = 0) -> bool:
    """Publish one region's task; a broker failure is left to the sweeper."""
    return jobs.publish(jobs.CLEANUP_REGION, plan_id, region, countdown=countdown)


def send_plan_after_commit(plan: CleanupPlan) -> None:
    """Every unfinished region's task, published once the approval commits."""
    regions = plan.regions.exclude(state__in=CleanupRegion.TERMINAL).values_list(
        "region", flat=True
    )
    for region in regions:
        jobs.after_commit(jobs.CLEANUP_REGION, plan.pk, region)


CLEANUP = approval.Kind(
    model=CleanupPlan,
    prefix="cleanup",
    key="cleanup_plan",
    detail="cleanup-detail",
    noun="cleanup",
    refused=CleanupRefused,
    requesters=requesters,
    title=lambda p: f"Cleanup for {p.role_name} in {p.account.name}",
    ask=lambda p: f"clean up what keeps {p.role_name} in use in {p.account.name}",
    self_decision="You planned or confirmed this cleanup: another approver must decide.",
    recheck=refuse_if_protected,
    enqueue=send_plan_after_commit,
)

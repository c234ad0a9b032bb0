"""Cleanup plans as one kind of approved change (roles/approval.py)."""

from __future__ import annotations

from roles import approval, jobs
from roles.models import CleanupPlan, CleanupRegion
from roles.protection import role_protection


class CleanupRefused(approval.Refused):
    """The plan cannot be made or run; the message is shown to the user."""


def refuse_if_protected(plan: CleanupPlan) -> None:
    if plan.account.paused:  # suspended, closed, gone or excluded (roles/discovery.py)
        raise CleanupRefused(plan.account.paused_text)
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
    CleanupPlan, "cleanup", CleanupRefused, refuse_if_protected, send_plan_after_commit
)

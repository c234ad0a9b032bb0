"""The end of a cleanup plan: its verdict, the people told, the inventory read again."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from roles.audit.models import AuditEvent, Outcome
from roles.cleanup.models import CleanupPlan, CleanupRegion, CleanupStep
from roles.notifications.models import Notification, NotificationKind
from roles.notifications.notify import notify, people_concerned

Status = CleanupStep.Status
PlanState, RegionState = CleanupPlan.State, CleanupRegion.State


def close_region(row: CleanupRegion, state: str, error: dict | None = None) -> bool:
    """The one ending of a cleanup region, whether its task or the sweeper (giving up on
    it, roles/cleanup/operation.py) ends it: the region's state, its lease released, and
    the plan closed if it was the last. True when the plan ended."""
    row.state, row.finished, row.next_run_at = state, timezone.now(), None
    row.lease_token, row.lease_until = "", None
    fields = ["state", "finished", "next_run_at", "lease_token", "lease_until", "updated"]
    if error is not None:
        row.last_error = error
        fields.append("last_error")
    row.save(update_fields=fields)
    return finish_plan(row.plan_id)


def finish_plan(plan_id: int) -> bool:
    """Close the plan once every region has ended. Called in a region's short claim or
    record transaction (no AWS call in it), after the region's state was saved; the
    plan row lock makes exactly one region the last."""
    plan = (
        CleanupPlan.objects.select_for_update(no_key=True).select_related("account").get(pk=plan_id)
    )
    if plan.state not in (PlanState.QUEUED, PlanState.RUNNING):
        return False
    if plan.regions.exclude(state__in=CleanupRegion.TERMINAL).exists():
        return False
    counts = {s: plan.steps.filter(status=s).count() for s in Status.values}
    unread = plan.regions.filter(state=RegionState.UNREAD).count()
    if counts[Status.FAILED] == 0 and counts[Status.SKIPPED] == 0 and not unread:
        state, level = PlanState.SUCCEEDED, Notification.Level.SUCCESS
    elif counts[Status.DONE] == 0:
        state, level = PlanState.FAILED, Notification.Level.ERROR
    else:
        state, level = PlanState.PARTIAL, Notification.Level.WARNING
    plan.state, plan.finished = state, timezone.now()
    plan.save(update_fields=["state", "finished", "updated"])
    AuditEvent.objects.record(
        "cleanup.finished",
        actor_name="system",
        outcome=Outcome.SUCCESS if state == PlanState.SUCCEEDED else Outcome.FAILURE,
        target_arn=plan.role_arn,
        account_id=plan.account.aws_account_id,
        details={"cleanup_plan": plan.pk, "state": state, "steps": counts},
    )
    stopped = [
        f"{s.region.region}: {s.action} {s.resource_arn} refused: {s.error_code} "
        f"(request id {s.request_id or 'none'})"
        for s in plan.steps.filter(status=Status.FAILED).select_related("region")
    ]
    body = f"{counts[Status.DONE]} steps done, {counts[Status.SKIPPED]} skipped."
    notify(
        people_concerned(plan),
        f"Cleanup for {plan.role_name} in {plan.account.name} {state}",
        kind=NotificationKind.DELETION_OUTCOME,
        level=level,
        body="\n".join([body, *stopped, *plan.protected_notes]),
        link=reverse("cleanup-detail", args=[plan.pk]),
    )
    return True


def refresh_inventory(plan_id: int) -> None:
    """Re-read the account once the plan ended, so the role's readiness and a
    deletion's evidence show what is left (the plan page's "Delete the role now").
    The sync runs on its own queue; the plan page waits for it."""
    from roles.inventory.sync.service import start_sync

    plan = CleanupPlan.objects.select_related("account").get(pk=plan_id)
    run = start_sync(plan.account, reason=f"cleanup #{plan.pk} ended")
    CleanupPlan.objects.filter(pk=plan_id).update(resync=run)

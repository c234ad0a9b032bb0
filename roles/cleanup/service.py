"""Executing a stored plan: confirmation, two-person approval, dispatch of the region tasks.

The same rules as deletions (roles/deletion/service.py): the operator types the
account name, an approver who is not the requester decides when
ROLECALL_REQUIRE_APPROVAL was on at request time, and tasks are published only
after the transaction that queued them commits.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from roles.cleanup.plan import CleanupRefused
from roles.models import AuditEvent, CleanupPlan, CleanupRegion, Notification, Outcome
from roles.notify import APPROVAL_NEEDED, approvers, notify, resolve
from roles.protection import role_protection

log = logging.getLogger(__name__)
State = CleanupPlan.State


def _link(plan: CleanupPlan) -> str:
    return reverse("cleanup-detail", args=[plan.pk])


def dispatch_region(plan_id: int, region: str, countdown: float = 0) -> bool:
    """Publish one region's task; a broker failure is left to redispatch_overdue()."""
    from roles.tasks.cleanup import cleanup_region

    try:
        cleanup_region.apply_async(args=[plan_id, region], countdown=countdown or None)
    except Exception:  # noqa: BLE001 - the rows stay as they are; the sweep sends it later
        log.exception("could not publish cleanup of %s for plan %s", region, plan_id)
        return False
    return True


def dispatch_plan(plan: CleanupPlan) -> None:
    for row in plan.regions.exclude(state__in=CleanupRegion.TERMINAL):
        dispatch_region(plan.pk, row.region)


def _audit(plan: CleanupPlan, action: str, *, user, request, outcome=Outcome.SUCCESS, **details):
    AuditEvent.objects.record(
        action,
        request=request,
        actor=user,
        outcome=outcome,
        target_arn=plan.role_arn,
        account_id=plan.account.aws_account_id,
        details={"cleanup_plan": plan.pk, **details},
    )


def _queue(plan: CleanupPlan) -> None:
    plan.state = State.QUEUED
    transaction.on_commit(lambda: dispatch_plan(plan))


def request_execution(plan: CleanupPlan, *, user, request=None) -> CleanupPlan:
    """The operator confirmed (typed the account name): queue it, or wait for an approver."""
    reason = role_protection(plan.role)
    if reason:
        _audit(
            plan,
            "cleanup.refused",
            user=user,
            request=request,
            outcome=Outcome.DENIED,
            reason=reason,
        )
        raise CleanupRefused(f"Protected: {reason}")
    with transaction.atomic():
        plan = (
            CleanupPlan.objects.select_for_update()
            .select_related("account", "role")
            .get(pk=plan.pk)
        )
        if plan.state != State.PLANNED:
            raise CleanupRefused("Only a planned cleanup (a dry run) can be executed.")
        if not plan.steps.filter(status="pending").exists():
            raise CleanupRefused("Nothing in this plan can run: every step is skipped.")
        needs_approval = settings.ROLECALL_REQUIRE_APPROVAL
        # requested_by stays the planner: both are requesters (requesters()).
        plan.confirmed_by, plan.confirmed_at = user, timezone.now()
        plan.approval_required = needs_approval
        if needs_approval:
            plan.state = State.AWAITING_APPROVAL
        else:
            _queue(plan)
        plan.save(
            update_fields=[
                "confirmed_by",
                "confirmed_at",
                "approval_required",
                "state",
                "updated",
            ]
        )
        _audit(
            plan,
            "cleanup.confirmed",
            user=user,
            request=request,
            confirmation="account name typed",
            approval_required=needs_approval,
            pending_steps=plan.steps.filter(status="pending").count(),
        )
        if needs_approval:
            notify(
                [u for u in approvers() if u.pk not in requesters(plan)],
                f"{APPROVAL_NEEDED}: clean up what keeps {plan.role_name} in use in "
                f"{plan.account.name}",
                level=Notification.Level.WARNING,
                body=f"Planned by {plan.requested_by_name}, confirmed by {user.get_username()}.",
                link=_link(plan),
            )
    return plan


def requesters(plan: CleanupPlan) -> set[int]:
    """Who asked for the plan: whoever planned it and whoever confirmed its execution.
    Neither may approve it (two-person approval)."""
    return {pk for pk in (plan.requested_by_id, plan.confirmed_by_id) if pk is not None}


def decide(plan: CleanupPlan, *, user, approve: bool, comment: str, request=None) -> CleanupPlan:
    """An approver approves or rejects; never one of its requesters."""
    action = "cleanup.approved" if approve else "cleanup.rejected"
    if user.pk in requesters(plan):
        # Recorded outside the transaction below, which a refusal rolls back.
        _audit(
            plan, action, user=user, request=request, outcome=Outcome.DENIED, reason="self-approval"
        )
        raise CleanupRefused("You planned or confirmed this cleanup: another approver must decide.")
    with transaction.atomic():
        plan = (
            CleanupPlan.objects.select_for_update()
            .select_related("account", "role")
            .get(pk=plan.pk)
        )
        if plan.state != State.AWAITING_APPROVAL:
            raise CleanupRefused("This cleanup is not waiting for approval.")
        if approve:
            reason = role_protection(plan.role)
            if reason:
                raise CleanupRefused(f"Protected: {reason}")
            plan.approved_by, plan.approved_at = user, timezone.now()
            _queue(plan)
        else:
            plan.state, plan.rejected_by, plan.finished = State.REJECTED, user, timezone.now()
        plan.decision_comment = comment
        plan.save(
            update_fields=[
                "state",
                "approved_by",
                "approved_at",
                "rejected_by",
                "finished",
                "decision_comment",
                "updated",
            ]
        )
        _audit(plan, action, user=user, request=request, comment=comment)
        resolve(_link(plan))
        verb = "approved" if approve else "rejected"
        notify(
            [plan.requested_by, plan.confirmed_by],
            f"Cleanup for {plan.role_name} in {plan.account.name} {verb} by {user.get_username()}",
            level=Notification.Level.INFO if approve else Notification.Level.WARNING,
            body=comment,
            link=_link(plan),
        )
    return plan

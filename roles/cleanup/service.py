"""Executing a stored plan: confirmation, then the approval core (roles/approval/__init__.py).

The same rules as deletions: the operator types the account name, an approver
who is not a requester decides when ROLECALL_REQUIRE_APPROVAL was on at request
time, and tasks are published only after the transaction that queued them commits.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from roles import approval
from roles.audit.models import Outcome
from roles.cleanup.kind import CLEANUP, CleanupRefused
from roles.cleanup.models import CleanupPlan
from roles.inventory.protection import role_protection

State = CleanupPlan.State
__all__ = ["decide", "request_execution"]


def request_execution(plan: CleanupPlan, *, user, request=None) -> CleanupPlan:
    """The operator confirmed (typed the account name): queue it, or wait for an approver."""
    reason = role_protection(plan.role)
    if reason:
        CLEANUP.audit(
            plan, "refused", user=user, request=request, outcome=Outcome.DENIED, reason=reason
        )
        raise CleanupRefused(f"Protected: {reason}")
    with transaction.atomic():
        plan = CLEANUP.locked(plan)
        if plan.state != State.PLANNED:
            raise CleanupRefused("Only a planned cleanup (a dry run) can be executed.")
        if not plan.steps.filter(status="pending").exists():
            raise CleanupRefused("Nothing in this plan can run: every step is skipped.")
        # requested_by stays the planner: both are requesters (CleanupPlan.requester_ids()).
        plan.confirmed_by, plan.confirmed_at = user, timezone.now()
        plan.approval_required = settings.ROLECALL_REQUIRE_APPROVAL
        body = f"Planned by {plan.requested_by_name}, confirmed by {user.get_username()}."
        approval.submit(CLEANUP, plan, body=body)
        plan.save(
            update_fields=["confirmed_by", "confirmed_at", "approval_required", "state", "updated"]
        )
        CLEANUP.audit(
            plan,
            "confirmed",
            user=user,
            request=request,
            confirmation="account name typed",
            approval_required=plan.approval_required,
            pending_steps=plan.steps.filter(status="pending").count(),
        )
    return plan


def decide(plan: CleanupPlan, *, user, approve: bool, comment: str, request=None) -> CleanupPlan:
    """An approver approves or rejects; never one of its requesters (roles/approval/__init__.py)."""
    return approval.decide(
        CLEANUP, plan, user=user, approve=approve, comment=comment, request=request
    )

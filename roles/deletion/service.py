"""Creating and retrying deletion requests; deciding them goes through the approval core."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction

from roles import approval
from roles.audit.models import AuditEvent, Outcome
from roles.deletion.evidence import snapshot
from roles.deletion.kind import (
    BROKER_DOWN,
    DELETION,
    DeletionRefused,
    refuse_unless_deletable,
    replace_evidence,
)
from roles.deletion.models import DeletionAttempt, DeletionRequest
from roles.inventory.models import ServiceLinkedRole

State = DeletionRequest.State
__all__ = [
    "BROKER_DOWN",
    "DeletionRefused",
    "Requested",
    "decide",
    "may_decide",
    "refuse_unless_deletable",
    "replace_evidence",
    "request_deletion",
    "open_request",
    "retry_deletion",
]


@dataclass
class Requested:
    request: DeletionRequest
    created: bool


def may_decide(deletion: DeletionRequest, user) -> bool:
    return approval.may_decide(DELETION, deletion, user)


def decide(
    deletion: DeletionRequest, *, user, approve: bool, comment: str, version=None, request=None
):
    """An approver approves or rejects; never one of its requesters (roles/approval/__init__.py)."""
    return approval.decide(
        DELETION,
        deletion,
        user=user,
        approve=approve,
        comment=comment,
        version=version,
        request=request,
    )


def open_request(role: ServiceLinkedRole, evidence: dict, *, user, **fields) -> DeletionRequest:
    """A deletion request and its first attempt, bound to the account and role as
    `evidence` (roles/deletion/evidence.py snapshot) names them; in the caller's
    transaction. Every path to a deletion request opens it here."""
    deletion = DeletionRequest.objects.create(
        role=role,
        account=role.account,
        role_arn=evidence["role"]["arn"],
        role_name=evidence["role"]["name"],
        bound_account_id=evidence["account"]["id"],
        bound_role_id=evidence["role"]["role_id"],
        requested_by=user,
        requested_by_name=user.get_username(),
        evidence=evidence,
        **fields,
    )
    DeletionAttempt.objects.create(
        request=deletion, number=1, requested_by=user, requested_by_name=user.get_username()
    )
    return deletion


def request_deletion(role: ServiceLinkedRole, *, user, request=None) -> Requested:
    """Create the role's deletion request, or return the active one.

    The request, its first attempt and its audit events commit together; the
    submit task is published only after that commit.
    """
    active = role.deletions.active().first()
    if active:
        return Requested(active, created=False)
    try:
        refuse_unless_deletable(role)
    except DeletionRefused as exc:
        AuditEvent.objects.record(
            "deletion.refused",
            request=request,
            actor=user,
            outcome=Outcome.DENIED,
            target_arn=role.arn,
            account_id=role.account.aws_account_id,
            details={"reason": str(exc)},
        )
        raise
    if not role.role_id:
        raise DeletionRefused(
            "AWS's id for this role is not known yet: refresh the account, then try again."
        )
    evidence = snapshot(role)
    needs_approval = settings.ROLECALL_REQUIRE_APPROVAL
    try:
        with transaction.atomic():
            deletion = open_request(
                role,
                evidence,
                user=user,
                state=State.AWAITING_APPROVAL if needs_approval else State.QUEUED,
                approval_required=needs_approval,
            )
            common = {
                "request": request,
                "actor": user,
                "target_arn": role.arn,
                "account_id": role.account.aws_account_id,
            }
            AuditEvent.objects.record(
                "deletion.requested", **common, details={"deletion_request": deletion.pk}
            )
            AuditEvent.objects.record(
                "deletion.confirmed",
                **common,
                details={
                    "deletion_request": deletion.pk,
                    "confirmation": "role name typed",
                    "evidence": evidence,
                },
            )
            approval.submit(DELETION, deletion, body=f"Requested by {user.get_username()}.")
    except IntegrityError:
        # Another request won the race (two tabs, two users): join it.
        return Requested(role.deletions.active().get(), created=False)
    return Requested(deletion, created=True)


def retry_deletion(deletion: DeletionRequest, *, user, request=None) -> DeletionRequest:
    """A new attempt (new DeletionTaskId) on a failed request, asked for by `user`.

    The view has checked the typed role name and a fresh password, as for the
    first confirmation. Whoever retries becomes a requester of the request: with
    approval on, the new attempt waits for an approver who asked for none of it.
    """
    try:
        with transaction.atomic():
            deletion = (
                DeletionRequest.objects.select_for_update(no_key=True)
                .select_related("account", "role")
                .get(pk=deletion.pk)
            )
            if deletion.state not in DeletionRequest.RETRYABLE:
                raise DeletionRefused("Only a failed deletion can be retried.")
            refuse_unless_deletable(deletion.role)
            number = deletion.attempts.count() + 1
            DeletionAttempt.objects.create(
                request=deletion,
                number=number,
                requested_by=user,
                requested_by_name=user.get_username(),
            )
            # Every submission to AWS is approved, on the evidence as it is now.
            approval.submit(DELETION, deletion, body=f"Requested by {user.get_username()}.")
            deletion.finished, deletion.next_poll_at = None, None
            deletion.dispatch_attempts, deletion.last_error = 0, {}
            deletion.approved_by, deletion.approved_at, deletion.voided_changes = None, None, []
            replace_evidence(deletion, snapshot(deletion.role))
            deletion.save(
                update_fields=[
                    "state",
                    "finished",
                    "next_poll_at",
                    "dispatch_attempts",
                    "last_error",
                    "approved_by",
                    "approved_at",
                    "voided_changes",
                    "evidence",
                    "evidence_version",
                    "evidence_log",
                    "updated",
                ]
            )
            DELETION.audit(
                deletion,
                "retried",
                user=user,
                request=request,
                attempt=number,
                confirmation="role name typed",
                evidence=deletion.evidence,
            )
    except IntegrityError:
        raise DeletionRefused("Another deletion of this role is already active.") from None
    return deletion

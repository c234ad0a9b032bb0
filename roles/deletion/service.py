"""Creating, retrying and dispatching deletion requests (views and the sweeper)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from roles.deletion.evidence import differences, snapshot
from roles.models import (
    AuditEvent,
    DeletionAttempt,
    DeletionRequest,
    Notification,
    Outcome,
    ServiceLinkedRole,
)
from roles.notify import APPROVAL_NEEDED, approvers, notify, resolve
from roles.protection import role_protection

log = logging.getLogger(__name__)
State = DeletionRequest.State
LIVE_ROLE_STATES = (ServiceLinkedRole.State.PRESENT, ServiceLinkedRole.State.RECREATED)


class DeletionRefused(Exception):
    """The request cannot be made; the message is shown to the user."""


@dataclass
class Requested:
    request: DeletionRequest
    created: bool


def refuse_unless_deletable(role: ServiceLinkedRole) -> None:
    """Server-side rules that hold whatever a form posted."""
    if not role.is_service_linked:
        raise DeletionRefused("Only service-linked roles (path /aws-service-role/) can be deleted.")
    if role.state not in LIVE_ROLE_STATES:
        raise DeletionRefused(
            f"The role is {role.get_state_display().lower()}; there is nothing to delete."
        )
    reason = role_protection(role)
    if reason:
        raise DeletionRefused(f"Protected: {reason}")


def requesters(deletion: DeletionRequest) -> set[int]:
    """Everyone who asked for an attempt of this request: the requester and each
    person who retried it. None of them may approve it (two-person approval)."""
    ids = {deletion.requested_by_id, *deletion.attempts.values_list("requested_by_id", flat=True)}
    ids.discard(None)
    return ids


def may_decide(deletion: DeletionRequest, user) -> bool:
    return user.pk not in requesters(deletion)


def _awaiting(deletion: DeletionRequest, asked_by) -> None:
    """Tell the approvers (never a requester) that a request waits for them."""
    excluded = requesters(deletion)
    notify(
        [u for u in approvers() if u.pk not in excluded],
        f"{APPROVAL_NEEDED}: delete {deletion.role_name} in {deletion.account.name}",
        level=Notification.Level.WARNING,
        body=f"Requested by {asked_by.get_username()}.",
        link=reverse("deletion-detail", args=[deletion.pk]),
    )


def replace_evidence(deletion: DeletionRequest, evidence: dict) -> None:
    """New evidence for the request; the old version is kept for stale-form answers.
    The caller saves evidence, evidence_version and evidence_log."""
    deletion.evidence_log = [
        *deletion.evidence_log,
        {"version": deletion.evidence_version, "evidence": deletion.evidence},
    ]
    deletion.evidence, deletion.evidence_version = evidence, deletion.evidence_version + 1


def dispatch_submit(request_id: int, countdown: float = 0) -> bool:
    from roles.tasks.deletions import submit_deletion

    return _publish(submit_deletion, request_id, countdown)


def dispatch_poll(request_id: int, countdown: float = 0) -> bool:
    from roles.tasks.deletions import poll_deletion

    return _publish(poll_deletion, request_id, countdown)


# last_error of a queued request whose submit could not be published: its page
# says it waits for the task queue, until the sweeper sends it (roles/sweeper.py).
BROKER_DOWN = "BrokerUnavailable"


def _publish(task, request_id: int, countdown: float) -> bool:
    """Send a task; a broker failure is logged and left to the sweeper (the row is the truth)."""
    try:
        task.apply_async(args=[request_id], countdown=countdown or None)
    except Exception:  # noqa: BLE001 - any broker error: the row stays as it is
        log.exception(
            "could not publish %s for deletion %s; the sweeper will", task.name, request_id
        )
        DeletionRequest.objects.filter(pk=request_id, state=State.QUEUED).update(
            last_error={"code": BROKER_DOWN, "message": "The task queue could not be reached."}
        )
        return False
    return True


def request_deletion(role: ServiceLinkedRole, *, user, request=None) -> Requested:
    """Create the role's deletion request, or return the active one.

    The request, its first attempt and its audit events commit together; the
    submit task is published only after that commit.
    """
    active = role.deletions.filter(state__in=DeletionRequest.ACTIVE).first()
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
            deletion = DeletionRequest.objects.create(
                role=role,
                account=role.account,
                role_arn=role.arn,
                role_name=role.name,
                bound_account_id=role.account.aws_account_id,
                bound_role_id=role.role_id,
                state=State.AWAITING_APPROVAL if needs_approval else State.QUEUED,
                approval_required=needs_approval,
                requested_by=user,
                requested_by_name=user.get_username(),
                evidence=evidence,
            )
            DeletionAttempt.objects.create(
                request=deletion,
                number=1,
                requested_by=user,
                requested_by_name=user.get_username(),
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
            if needs_approval:
                _awaiting(deletion, user)
            else:
                transaction.on_commit(lambda: dispatch_submit(deletion.pk))
    except IntegrityError:
        # Another request won the race (two tabs, two users): join it.
        return Requested(role.deletions.get(state__in=DeletionRequest.ACTIVE), created=False)
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
                DeletionRequest.objects.select_for_update()
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
            waits = deletion.approval_required
            deletion.state = State.AWAITING_APPROVAL if waits else State.QUEUED
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
            AuditEvent.objects.record(
                "deletion.retried",
                request=request,
                actor=user,
                target_arn=deletion.role_arn,
                account_id=deletion.account.aws_account_id,
                details={
                    "deletion_request": deletion.pk,
                    "attempt": number,
                    "confirmation": "role name typed",
                    "evidence": deletion.evidence,
                },
            )
            if waits:
                _awaiting(deletion, user)
            else:
                transaction.on_commit(lambda: dispatch_submit(deletion.pk))
    except IntegrityError:
        raise DeletionRefused("Another deletion of this role is already active.") from None
    return deletion


def _describe(changes: list[dict]) -> str:
    return "; ".join(
        f"{c['field'].replace('_', ' ')}: {c['approved'] or 'none'} → {c['now'] or 'none'}"
        for c in changes
    )


def decide(
    deletion: DeletionRequest,
    *,
    user,
    approve: bool,
    comment: str,
    version: int | None = None,
    request=None,
):
    """An approver approves or rejects; never one of its requesters.

    `version` is the evidence version the approver was shown (the form carries
    it): an approval of any other version is refused with the difference, so a
    stale page never approves evidence that was voided or replaced.
    """
    action = "deletion.approved" if approve else "deletion.rejected"
    refusal = None
    with transaction.atomic():
        deletion = (
            DeletionRequest.objects.select_for_update()
            .select_related("account", "role")
            .get(pk=deletion.pk)
        )
        if not may_decide(deletion, user):
            refusal = (
                {"reason": "self-approval"},
                "You asked for this deletion (or a retry of it): another approver must decide.",
            )
        elif deletion.state != State.AWAITING_APPROVAL:
            raise DeletionRefused("This request is not waiting for approval.")
        elif approve and version != deletion.evidence_version:
            shown = deletion.evidence_at(version) if version else None
            changes = differences(shown, deletion.evidence) if shown else []
            refusal = (
                {
                    "reason": "stale evidence",
                    "shown_version": version,
                    "current_version": deletion.evidence_version,
                    "changes": changes,
                },
                "The evidence changed since this page was loaded"
                + (f" ({_describe(changes)})" if changes else "")
                + ": review it and approve again.",
            )
        else:
            _record_decision(deletion, user=user, approve=approve, comment=comment)
            refusal = None
        details, message = refusal or (
            {
                "comment": comment,
                "evidence_version": deletion.evidence_version,
                "evidence": deletion.evidence,
            },
            "",
        )
        AuditEvent.objects.record(
            action,
            request=request,
            actor=user,
            outcome=Outcome.DENIED if refusal else Outcome.SUCCESS,
            target_arn=deletion.role_arn,
            account_id=deletion.account.aws_account_id,
            details={"deletion_request": deletion.pk, **details},
        )
    if refusal:
        raise DeletionRefused(message)
    return deletion


def _record_decision(deletion: DeletionRequest, *, user, approve: bool, comment: str) -> None:
    if approve:
        refuse_unless_deletable(deletion.role)
        deletion.state, deletion.approved_by, deletion.approved_at = (
            State.QUEUED,
            user,
            timezone.now(),
        )
        transaction.on_commit(lambda: dispatch_submit(deletion.pk))
    else:
        deletion.state, deletion.rejected_by, deletion.finished = (
            State.REJECTED,
            user,
            timezone.now(),
        )
    deletion.decision_comment = comment
    deletion.save(
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
    resolve(reverse("deletion-detail", args=[deletion.pk]))
    verb = "approved" if approve else "rejected"
    notify(
        list(get_user_model().objects.filter(pk__in=requesters(deletion))),
        f"Deletion of {deletion.role_name} in {deletion.account.name} {verb} "
        f"by {user.get_username()}",
        level=Notification.Level.INFO if approve else Notification.Level.WARNING,
        body=comment,
        link=reverse("deletion-detail", args=[deletion.pk]),
    )

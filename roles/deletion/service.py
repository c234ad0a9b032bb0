"""Creating, retrying and dispatching deletion requests (views and the sweeper)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from roles.deletion.evidence import snapshot
from roles.models import AuditEvent, DeletionAttempt, DeletionRequest, ServiceLinkedRole

log = logging.getLogger(__name__)
State = DeletionRequest.State
LIVE_ROLE_STATES = (ServiceLinkedRole.State.PRESENT, ServiceLinkedRole.State.RECREATED)


class DeletionRefused(Exception):
    """The request cannot be made; the message is shown to the user."""


@dataclass
class Outcome:
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


def dispatch_submit(request_id: int, countdown: float = 0) -> bool:
    from roles.tasks.deletions import submit_deletion

    return _publish(submit_deletion, request_id, countdown)


def dispatch_poll(request_id: int, countdown: float = 0) -> bool:
    from roles.tasks.deletions import poll_deletion

    return _publish(poll_deletion, request_id, countdown)


def _publish(task, request_id: int, countdown: float) -> bool:
    """Send a task; a broker failure is logged and left to the sweeper (the row is the truth)."""
    try:
        task.apply_async(args=[request_id], countdown=countdown or None)
    except Exception:  # noqa: BLE001 - any broker error: the row stays as it is
        log.exception(
            "could not publish %s for deletion %s; the sweeper will", task.name, request_id
        )
        return False
    return True


def request_deletion(role: ServiceLinkedRole, *, user, request=None) -> Outcome:
    """Create the role's deletion request, or return the active one.

    The request, its first attempt and its audit events commit together; the
    submit task is published only after that commit.
    """
    refuse_unless_deletable(role)
    active = role.deletions.filter(state__in=DeletionRequest.ACTIVE).first()
    if active:
        return Outcome(active, created=False)
    evidence = snapshot(role)
    try:
        with transaction.atomic():
            deletion = DeletionRequest.objects.create(
                role=role,
                account=role.account,
                role_arn=role.arn,
                role_name=role.name,
                state=State.QUEUED,
                requested_by=user,
                requested_by_name=user.get_username(),
                evidence=evidence,
            )
            DeletionAttempt.objects.create(request=deletion, number=1)
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
            transaction.on_commit(lambda: dispatch_submit(deletion.pk))
    except IntegrityError:
        # Another request won the race (two tabs, two users): join it.
        return Outcome(role.deletions.get(state__in=DeletionRequest.ACTIVE), created=False)
    return Outcome(deletion, created=True)


def retry_deletion(deletion: DeletionRequest, *, user, request=None) -> DeletionRequest:
    """A new attempt (new DeletionTaskId) on a failed request."""
    try:
        with transaction.atomic():
            deletion = DeletionRequest.objects.select_for_update().get(pk=deletion.pk)
            if deletion.state not in DeletionRequest.RETRYABLE:
                raise DeletionRefused("Only a failed deletion can be retried.")
            refuse_unless_deletable(deletion.role)
            number = deletion.attempts.count() + 1
            DeletionAttempt.objects.create(request=deletion, number=number)
            deletion.state, deletion.finished, deletion.next_poll_at = State.QUEUED, None, None
            deletion.dispatch_attempts, deletion.last_error = 0, {}
            deletion.save(
                update_fields=[
                    "state",
                    "finished",
                    "next_poll_at",
                    "dispatch_attempts",
                    "last_error",
                    "updated",
                ]
            )
            AuditEvent.objects.record(
                "deletion.retried",
                request=request,
                actor=user,
                target_arn=deletion.role_arn,
                account_id=deletion.account.aws_account_id,
                details={"deletion_request": deletion.pk, "attempt": number},
            )
            transaction.on_commit(lambda: dispatch_submit(deletion.pk))
    except IntegrityError:
        raise DeletionRefused("Another deletion of this role is already active.") from None
    return deletion

"""Deletion requests as the sweeper sees them (roles/jobs.py Operation).

A request in queued / submitted / in_progress whose next_poll_at (for a queued
one that never had one: its last change) is more than the grace in the past gets
its submit or poll task again; past the re-dispatch limit it ends in error.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from roles import jobs
from roles.deletion.kind import BROKER_DOWN, DELETION, POLL, SUBMIT, send
from roles.deletion.outcomes import tell
from roles.jobs import Operation
from roles.models import AuditEvent, DeletionAttempt, DeletionRequest, Notification, Outcome

State = DeletionRequest.State


def _overdue_q(grace: float) -> Q:
    cutoff = timezone.now() - timedelta(seconds=grace)
    return Q(state__in=DeletionRequest.WORKING) & (
        Q(next_poll_at__lt=cutoff) | Q(next_poll_at__isnull=True, updated__lt=cutoff)
    )


def overdue(grace: float) -> list[int]:
    return list(
        DeletionRequest.objects.filter(_overdue_q(grace))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def claim(pk: int, grace: float) -> DeletionRequest | None:
    return (
        DeletionRequest.objects.select_for_update(no_key=True)
        .filter(_overdue_q(grace), pk=pk)
        .select_related("account")
        .first()
    )


def prepare(deletion: DeletionRequest) -> None:
    # Now, not in the past: the poll task treats a next_poll_at in the future as
    # a duplicate, and the next sweep waits a full grace again.
    deletion.phase = SUBMIT if deletion.state == State.QUEUED else POLL
    deletion.next_poll_at = timezone.now()
    deletion.save(update_fields=["next_poll_at"])


def redispatch(deletion: DeletionRequest) -> bool:
    return send(deletion.phase, deletion.pk)


def sent(deletion: DeletionRequest) -> None:
    # A publish that failed is not an attempt: the broker being down is not the
    # request's fault, and the request's page says it waits for the queue.
    attempts = jobs.counted(deletion)
    DeletionRequest.objects.filter(pk=deletion.pk, last_error__code=BROKER_DOWN).update(
        last_error={}
    )
    DELETION.audit(
        deletion,
        "redispatched",
        state=deletion.state,
        task=deletion.phase,
        dispatch_attempts=attempts,
    )


def give_up(deletion: DeletionRequest) -> None:
    limit = settings.ROLECALL_SWEEPER_MAX_DISPATCHES
    error = jobs.gave_up("request", deletion, deletion.state)
    message = error["message"]
    previous = deletion.state
    deletion.state, deletion.finished, deletion.next_poll_at = State.ERROR, timezone.now(), None
    deletion.last_error = error
    deletion.save(update_fields=["state", "finished", "next_poll_at", "last_error", "updated"])
    attempt = (
        DeletionAttempt.objects.select_for_update(no_key=True)
        .filter(request=deletion)
        .order_by("-number")
        .first()
    )
    if attempt is not None:
        attempt.status, attempt.finished_at, attempt.error = (
            DeletionAttempt.Status.ERROR,
            timezone.now(),
            error,
        )
        attempt.save(update_fields=["status", "finished_at", "error"])
    AuditEvent.objects.record(
        "deletion.failed",
        actor_name="system",
        outcome=Outcome.FAILURE,
        target_arn=deletion.role_arn,
        account_id=deletion.account.aws_account_id,
        deletion_task_id=attempt.deletion_task_id if attempt else "",
        details={
            "deletion_request": deletion.pk,
            "attempt": attempt.number if attempt else None,
            "sweeper": "gave up",
            "state": previous,
            "dispatch_attempts": deletion.dispatch_attempts,
            "limit": limit,
            **({"campaign": deletion.campaign_id} if deletion.campaign_id else {}),
        },
    )
    tell(
        deletion,
        attempt,
        [u for u in (deletion.requested_by, deletion.approved_by) if u is not None],
        f"Deletion of {deletion.role_name} in {deletion.account.name} stopped: no worker ran it",
        level=Notification.Level.ERROR,
        body=message
        + (
            " AWS may still be deleting the role: check it, then retry the request."
            if attempt and attempt.deletion_task_id
            else " Nothing was sent to AWS; retry the request when the workers are back."
        ),
        link=reverse("deletion-detail", args=[deletion.pk]),
    )


DELETIONS = Operation(
    name="deletion",
    overdue=overdue,
    claim=claim,
    give_up=give_up,
    prepare=prepare,
    redispatch=redispatch,
    sent=sent,
)

"""Deletion requests as the sweeper sees them (roles/jobs/__init__.py Operation).

A request in queued / submitted / in_progress whose next_poll_at (for a queued
one that never had one: its last change) is more than the grace in the past gets
its submit or poll task again; past the re-dispatch limit it ends in error.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from roles import jobs
from roles.audit.models import Outcome
from roles.deletion import outcomes
from roles.deletion.kind import BROKER_DOWN, DELETION, POLL, SUBMIT, send
from roles.deletion.models import DeletionAttempt, DeletionRequest
from roles.jobs import Operation

State = DeletionRequest.State


def _overdue_q(grace: float) -> Q:
    cutoff = timezone.now() - timedelta(seconds=grace)
    return Q(state__in=DeletionRequest.WORKING) & (
        Q(next_poll_at__lt=cutoff) | Q(next_poll_at__isnull=True, updated__lt=cutoff)
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
    """No worker moved the request on: it ends in error through the same close() as
    every other ending (roles/deletion/outcomes.py), its latest attempt with it."""
    error = jobs.gave_up("request", deletion, deletion.state)
    attempt = (
        DeletionAttempt.objects.select_for_update(no_key=True)
        .filter(request=deletion)
        .order_by("-number")
        .first()
    )
    sent = bool(attempt and attempt.deletion_task_id)
    outcomes.close(
        deletion,
        attempt,
        "",
        status=DeletionAttempt.Status.ERROR,
        state=State.ERROR,
        error=error,
        action="deletion.failed",
        outcome=Outcome.FAILURE,
        details={
            "sweeper": "gave up",
            "state": deletion.state,
            "dispatch_attempts": deletion.dispatch_attempts,
            "limit": settings.ROLECALL_SWEEPER_MAX_DISPATCHES,
        },
        told="stopped: no worker ran it",
        body=error["message"]
        + (
            " AWS may still be deleting the role: check it, then retry the request."
            if sent
            else " Nothing was sent to AWS; retry the request when the workers are back."
        ),
    )


DELETIONS = Operation(
    name="deletion",
    model=DeletionRequest,
    overdue_q=_overdue_q,
    related=("account",),
    give_up=give_up,
    prepare=prepare,
    redispatch=redispatch,
    sent=sent,
)

"""The sweeper: re-dispatch work whose Celery message was lost.

The database is the truth for every deletion and sync; a Celery message is only
a hint that can vanish (a Redis restart or FLUSHALL, a publish that failed while
the broker was down, a worker killed while holding an acknowledged-late
message, which Redis would only hand out again after the visibility timeout).
Beat runs sweep() every ROLECALL_SWEEPER_INTERVAL seconds (roles/tasks/sweeper.py):

- a deletion in queued / submitted / in_progress whose next_poll_at (for a
  queued one that never had one: its last change) is more than
  ROLECALL_SWEEPER_GRACE seconds in the past gets its submit or poll task again;
- a queued sync run older than the grace, or a running one whose task cannot
  still be alive (started more than CELERY_TASK_TIME_LIMIT + grace ago), gets
  its sync task again.

Re-dispatching is safe because every task re-reads its row under a lock and
acts only from the state it expects (roles/deletion/worker.py, roles/sync/service.py).
Each re-dispatch counts in dispatch_attempts; past ROLECALL_SWEEPER_MAX_DISPATCHES
the deletion ends in error (the sync run in failed), the requester is told and
the audit history says the sweeper gave up, so nothing is retried forever.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from roles.deletion.service import BROKER_DOWN, dispatch_poll, dispatch_submit
from roles.models import (
    AuditEvent,
    DeletionAttempt,
    DeletionRequest,
    Notification,
    Outcome,
    SyncRun,
)
from roles.notify import notify, responders
from roles.sync import service as sync_service

log = logging.getLogger(__name__)
State = DeletionRequest.State


@dataclass
class SweepResult:
    """What one sweep did, by primary key (logged by the task, read by tests)."""

    deletions: list[int] = field(default_factory=list)
    syncs: list[int] = field(default_factory=list)
    gave_up_deletions: list[int] = field(default_factory=list)
    gave_up_syncs: list[int] = field(default_factory=list)
    not_sent: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (
            self.deletions
            or self.syncs
            or self.gave_up_deletions
            or self.gave_up_syncs
            or self.not_sent
        )


def sweep(grace: float | None = None) -> SweepResult:
    """Re-dispatch every overdue deletion and sync run; give up on those past the limit."""
    grace = settings.ROLECALL_SWEEPER_GRACE if grace is None else grace
    result = SweepResult()
    for pk in _overdue_deletions(grace):
        _sweep_deletion(pk, grace, result)
    for pk in _overdue_syncs(grace):
        _sweep_sync(pk, grace, result)
    if not result.empty:
        log.warning("sweeper: %s", result)
    return result


# --- deletions -----------------------------------------------------------------


def _deletion_overdue(grace: float) -> Q:
    cutoff = timezone.now() - timedelta(seconds=grace)
    return Q(state__in=DeletionRequest.WORKING) & (
        Q(next_poll_at__lt=cutoff) | Q(next_poll_at__isnull=True, updated__lt=cutoff)
    )


def _overdue_deletions(grace: float) -> list[int]:
    return list(
        DeletionRequest.objects.filter(_deletion_overdue(grace))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _sweep_deletion(pk: int, grace: float, result: SweepResult) -> None:
    with transaction.atomic():
        deletion = (
            DeletionRequest.objects.select_for_update()
            .filter(_deletion_overdue(grace), pk=pk)
            .select_related("account")
            .first()
        )
        if deletion is None:
            return  # a worker moved it on since the listing
        if deletion.dispatch_attempts >= settings.ROLECALL_SWEEPER_MAX_DISPATCHES:
            _give_up_deletion(deletion)
            result.gave_up_deletions.append(pk)
            return
        queued = deletion.state == State.QUEUED
        # Now, not in the past: the poll task treats a next_poll_at in the
        # future as a duplicate, and the next sweep waits a full grace again.
        deletion.next_poll_at = timezone.now()
        deletion.save(update_fields=["next_poll_at"])
    sent = dispatch_submit(pk) if queued else dispatch_poll(pk)
    if not sent:
        result.not_sent.append(f"deletion {pk}")
        return
    # A publish that failed is not an attempt: the broker being down is not the
    # request's fault, and the request's page says it waits for the queue.
    DeletionRequest.objects.filter(pk=pk).update(dispatch_attempts=F("dispatch_attempts") + 1)
    DeletionRequest.objects.filter(pk=pk, last_error__code=BROKER_DOWN).update(last_error={})
    AuditEvent.objects.record(
        "deletion.redispatched",
        actor_name="system",
        target_arn=deletion.role_arn,
        account_id=deletion.account.aws_account_id,
        details={
            "deletion_request": pk,
            "state": deletion.state,
            "task": "submit" if queued else "poll",
            "dispatch_attempts": deletion.dispatch_attempts + 1,
        },
    )
    result.deletions.append(pk)


def _give_up_deletion(deletion: DeletionRequest) -> None:
    limit = settings.ROLECALL_SWEEPER_MAX_DISPATCHES
    message = (
        f"The sweeper re-dispatched this request {deletion.dispatch_attempts} times "
        f"(limit {limit}) and no worker moved it on; it was stopped in state {deletion.state}."
    )
    error = {"code": "SweeperGaveUp", "message": message, "request_id": "", "operation": ""}
    previous = deletion.state
    deletion.state, deletion.finished, deletion.next_poll_at = State.ERROR, timezone.now(), None
    deletion.last_error = error
    deletion.save(update_fields=["state", "finished", "next_poll_at", "last_error", "updated"])
    attempt = (
        DeletionAttempt.objects.select_for_update()
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
        },
    )
    notify(
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


# --- syncs ---------------------------------------------------------------------


def _sync_overdue(grace: float) -> Q:
    now = timezone.now()
    # A running sync cannot outlive its task's hard time limit; past that (and
    # the grace) its worker is gone.
    running_cutoff = now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + grace)
    return Q(status=SyncRun.Status.QUEUED, created__lt=now - timedelta(seconds=grace)) | Q(
        status=SyncRun.Status.RUNNING, started__lt=running_cutoff
    )


def _overdue_syncs(grace: float) -> list[int]:
    runs = SyncRun.objects.filter(_sync_overdue(grace)).order_by("pk")
    now = timezone.now()
    overdue = []
    for run in runs:
        # A queued run is re-sent after grace, 2 x grace, 4 x grace... since it
        # was created: it has no timestamp of its own for the last dispatch, and
        # a long queue of syncs must not be re-sent every minute.
        if run.status == SyncRun.Status.QUEUED:
            wait = grace * (2 ** min(run.dispatch_attempts, 16))
            if run.created > now - timedelta(seconds=wait):
                continue
        overdue.append(run.pk)
    return overdue


def _sweep_sync(pk: int, grace: float, result: SweepResult) -> None:
    with transaction.atomic():
        run = (
            SyncRun.objects.select_for_update()
            .filter(_sync_overdue(grace), pk=pk)
            .select_related("account")
            .first()
        )
        if run is None:
            return
        if run.dispatch_attempts >= settings.ROLECALL_SWEEPER_MAX_DISPATCHES:
            _give_up_sync(run)
            result.gave_up_syncs.append(pk)
            return
    if not sync_service.dispatch(pk):
        result.not_sent.append(f"sync {pk}")
        return
    SyncRun.objects.filter(pk=pk).update(dispatch_attempts=F("dispatch_attempts") + 1)
    AuditEvent.objects.record(
        "sync.redispatched",
        actor_name="system",
        account_id=run.account.aws_account_id,
        details={
            "sync_run": pk,
            "status": run.status,
            "dispatch_attempts": run.dispatch_attempts + 1,
        },
    )
    result.syncs.append(pk)


def _give_up_sync(run: SyncRun) -> None:
    limit = settings.ROLECALL_SWEEPER_MAX_DISPATCHES
    message = (
        f"The sweeper re-dispatched this sync {run.dispatch_attempts} times (limit {limit}) "
        f"and no worker finished it; it was stopped while {run.status}."
    )
    previous = run.status
    run.status, run.finished = SyncRun.Status.FAILED, timezone.now()
    run.error = {"code": "SweeperGaveUp", "message": message, "request_id": "", "operation": ""}
    run.save(update_fields=["status", "finished", "error"])
    AuditEvent.objects.record(
        "sync.finished",
        actor_name="system",
        outcome=Outcome.FAILURE,
        account_id=run.account.aws_account_id,
        task_id=run.task_id,
        details={
            "sync_run": run.pk,
            "sweeper": "gave up",
            "status": previous,
            "dispatch_attempts": run.dispatch_attempts,
            "limit": limit,
            "error": run.error,
        },
    )
    notify(
        [run.requested_by] if run.requested_by else list(responders()),
        f"Sync of {run.account.name} failed",
        level=Notification.Level.ERROR,
        body=message,
        link=reverse("account-detail", args=[run.account_id]),
    )

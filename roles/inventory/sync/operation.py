"""Sync runs as the sweeper sees them (roles/jobs/__init__.py Operation).

A queued run older than the grace (re-sent after grace, 2 x grace, 4 x grace...
since it was created), or a running one whose task cannot still be alive
(started more than CELERY_TASK_TIME_LIMIT + grace ago), gets its sync task again;
past the re-dispatch limit it ends as failed.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from roles import jobs
from roles.audit.models import AuditEvent
from roles.inventory.sync.models import SyncRun
from roles.inventory.sync.service import close_failed, dispatch
from roles.jobs import Operation


def _overdue_q(grace: float) -> Q:
    now = timezone.now()
    # A running sync cannot outlive its task's hard time limit; past that (and
    # the grace) its worker is gone.
    running_cutoff = now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + grace)
    return Q(status=SyncRun.Status.QUEUED, created__lt=now - timedelta(seconds=grace)) | Q(
        status=SyncRun.Status.RUNNING, started__lt=running_cutoff
    )


def _due(run: SyncRun, grace: float) -> bool:
    """A queued run has no timestamp of its own for the last dispatch, and a long queue
    of syncs must not be re-sent every minute: grace, 2 x grace, 4 x grace... since
    it was created."""
    if run.status != SyncRun.Status.QUEUED:
        return True
    wait = grace * (2 ** min(run.dispatch_attempts, 16))
    return run.created <= timezone.now() - timedelta(seconds=wait)


def sent(run: SyncRun) -> None:
    attempts = jobs.counted(run)
    details = {"sync_run": run.pk, "status": run.status, "dispatch_attempts": attempts}
    AuditEvent.objects.record(
        "sync.redispatched",
        actor_name="system",
        account_id=run.account.aws_account_id,
        details=details,
    )


def give_up(run: SyncRun) -> None:
    """No worker moved the run on: it fails through the same ending as a failed sync."""
    error = jobs.gave_up("sync", run, run.status)
    close_failed(
        run,
        error,
        body=error["message"],
        sweeper="gave up",
        status=run.status,
        dispatch_attempts=run.dispatch_attempts,
        limit=settings.ROLECALL_SWEEPER_MAX_DISPATCHES,
    )


SYNCS = Operation(
    name="sync",
    model=SyncRun,
    overdue_q=_overdue_q,
    related=("account",),
    due=_due,
    give_up=give_up,
    redispatch=lambda run: dispatch(run.pk),
    sent=sent,
)

"""Sync runs as the sweeper sees them (roles/jobs.py Operation).

A queued run older than the grace (re-sent after grace, 2 x grace, 4 x grace...
since it was created), or a running one whose task cannot still be alive
(started more than CELERY_TASK_TIME_LIMIT + grace ago), gets its sync task again;
past the re-dispatch limit it ends as failed.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from roles import jobs
from roles.jobs import Operation
from roles.models import AuditEvent, Notification, NotificationKind, Outcome, SyncRun
from roles.notify import notify, responders
from roles.sync.service import dispatch


def _overdue_q(grace: float) -> Q:
    now = timezone.now()
    # A running sync cannot outlive its task's hard time limit; past that (and
    # the grace) its worker is gone.
    running_cutoff = now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + grace)
    return Q(status=SyncRun.Status.QUEUED, created__lt=now - timedelta(seconds=grace)) | Q(
        status=SyncRun.Status.RUNNING, started__lt=running_cutoff
    )


def overdue(grace: float) -> list[int]:
    runs = SyncRun.objects.filter(_overdue_q(grace)).order_by("pk")
    now = timezone.now()
    found = []
    for run in runs:
        # A queued run has no timestamp of its own for the last dispatch, and a
        # long queue of syncs must not be re-sent every minute.
        if run.status == SyncRun.Status.QUEUED:
            wait = grace * (2 ** min(run.dispatch_attempts, 16))
            if run.created > now - timedelta(seconds=wait):
                continue
        found.append(run.pk)
    return found


def claim(pk: int, grace: float) -> SyncRun | None:
    return (
        SyncRun.objects.select_for_update(no_key=True)
        .filter(_overdue_q(grace), pk=pk)
        .select_related("account")
        .first()
    )


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
    limit = settings.ROLECALL_SWEEPER_MAX_DISPATCHES
    previous = run.status
    run.error = jobs.gave_up("sync", run, run.status)
    message = run.error["message"]
    run.status, run.finished = SyncRun.Status.FAILED, timezone.now()
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
        kind=NotificationKind.SYNC_FAILURE,
        level=Notification.Level.ERROR,
        body=message,
        link=reverse("account-detail", args=[run.account_id]),
    )


SYNCS = Operation(
    name="sync",
    overdue=overdue,
    claim=claim,
    give_up=give_up,
    redispatch=lambda run: dispatch(run.pk),
    sent=sent,
)

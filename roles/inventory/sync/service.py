"""Starting and running syncs; called by views, beat and the worker alike."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from roles import jobs
from roles.audit.models import AuditEvent, Outcome
from roles.aws.errors import AwsError
from roles.core.models import Account
from roles.inventory.models import ServiceLinkedRole
from roles.inventory.summary import summarise
from roles.inventory.sync.collect import collect
from roles.inventory.sync.models import SyncRun
from roles.inventory.sync.store import StoreResult, store
from roles.notifications.models import Notification, NotificationKind
from roles.notifications.notify import notify, responders

log = logging.getLogger(__name__)
# One account's sync (roles/inventory/sync/tasks.py), on the sync queue (roles/inventory/ready.py).
SYNC_TASK = "rolecall.sync.account"
Status = SyncRun.Status


def start_sync(account: Account, *, user=None, request=None, reason: str = "requested") -> SyncRun:
    """The account's active sync, creating and enqueueing one if there is none.

    A double click, two tabs or beat firing during a manual refresh all end
    in the same SyncRun (database constraint one_active_sync_per_account).
    """
    active = account.syncs.active().first()
    if active and not _is_dead(active):
        active.joined = True
        return active
    if active:
        # Its worker cannot still be on it (see _is_dead): a Refresh starts afresh
        # instead of joining a run that will never finish.
        close_interrupted(active, "it outlived the task time limit; its worker is gone")
    try:
        with transaction.atomic():
            run = SyncRun.objects.create(account=account, requested_by=user)
            AuditEvent.objects.record(
                "sync.started",
                actor=user,
                request=request,
                account_id=account.aws_account_id,
                details={"sync_run": run.pk, "reason": reason},
            )
            jobs.after_commit(SYNC_TASK, run.pk)
    except IntegrityError:
        run = account.syncs.active().get()
        run.joined = True
        return run
    run.joined = False
    return run


def _is_dead(run: SyncRun) -> bool:
    """A running sync past its task's hard time limit: Celery has killed its task."""
    if run.status != Status.RUNNING or run.started is None:
        return False
    return run.started < timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)


def close_interrupted(run: SyncRun, why: str) -> bool:
    """End an active run whose worker is gone as failed ("Interrupted"), audited and
    notified. False when it had already moved on (a worker finished it meanwhile).

    Used by start_sync for a run past the time limit, and at start-up by
    `manage.py close_interrupted_syncs` (scripts/run.py), when no worker exists yet.
    """
    error = {
        "code": "Interrupted",
        "message": f"The sync stopped before it finished: {why}.",
        "request_id": "",
        "operation": "",
    }
    with transaction.atomic():
        closed = SyncRun.objects.filter(pk=run.pk, status=run.status).update(
            status=Status.FAILED, finished=timezone.now(), error=error
        )
        if not closed:
            return False
        previous = run.status
        run.refresh_from_db()
        AuditEvent.objects.record(
            "sync.interrupted",
            outcome=Outcome.FAILURE,
            account_id=run.account.aws_account_id,
            task_id=run.task_id,
            details={"sync_run": run.pk, "status": previous, "error": error},
        )
        _notify_failure(run, error["message"])
    return True


def dispatch(run_id: int) -> bool:
    """Publish the sync task now; a broker failure is left to the sweeper."""
    return jobs.publish(SYNC_TASK, run_id)


def _may_take_over(run: SyncRun, task_id: str) -> bool:
    """A running sync is taken over only by a redelivery of its own message (its
    worker died), or once it has outlived any task's time limit (the sweeper's case)."""
    if task_id and task_id == run.task_id:
        return True
    limit = timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    return run.started is None or run.started < limit


def _claim(run_id: int, task_id: str) -> SyncRun | None:
    with transaction.atomic():
        run = (
            SyncRun.objects.select_for_update(no_key=True)
            .select_related("account")
            .filter(pk=run_id)
            .first()
        )
        if run is None or not run.is_active:
            return None  # already finished: a redelivered message does nothing
        if run.status == Status.RUNNING and not _may_take_over(run, task_id):
            return None  # another worker is on it: two stores at once would collide
        run.status, run.started, run.task_id = Status.RUNNING, timezone.now(), task_id
        run.save(update_fields=["status", "started", "task_id"])
    return run


def close_failed(run: SyncRun, error: dict, body: str = "", **details) -> None:
    """The run ends as failed with `error` (AwsError.as_dict() shape), audited and told:
    the ending of a failed run, whether its worker or the sweeper (giving up on it,
    roles/inventory/sync/operation.py, with `details` of its own) ends it."""
    with transaction.atomic():
        run.status, run.finished, run.error = Status.FAILED, timezone.now(), error
        run.save(update_fields=["status", "finished", "error"])
        AuditEvent.objects.record(
            "sync.finished",
            outcome=Outcome.FAILURE,
            account_id=run.account.aws_account_id,
            aws_request_id=error["request_id"],
            task_id=run.task_id,
            details={"sync_run": run.pk, **details, "error": error},
        )
        _notify_failure(run, body or f"{error['code']}: {error['message']}")


def _crash(exc: Exception) -> dict:
    """Any other exception (a bug, bad data, the soft time limit) as the run's error, with
    its class and message, so the run ends failed instead of "running" until the sweeper."""
    return {
        "code": type(exc).__name__,
        "message": str(exc)[:2000] or repr(exc),
        "request_id": "",
        "operation": "",
        "class": f"{type(exc).__module__}.{type(exc).__qualname__}",
    }


def _notify_failure(run: SyncRun, what: str) -> None:
    users = [run.requested_by] if run.requested_by else list(responders())
    notify(
        users,
        f"Sync of {run.account.name} failed"
        if run.status == Status.FAILED
        else f"Sync of {run.account.name} finished with errors",
        kind=NotificationKind.SYNC_FAILURE,
        level=Notification.Level.ERROR
        if run.status == Status.FAILED
        else Notification.Level.WARNING,
        body=what,
        link=reverse("account-detail", args=[run.account_id]),
    )


def _record_recreated(run: SyncRun, roles: list[ServiceLinkedRole]) -> None:
    for role in roles:
        AuditEvent.objects.record(
            "role.recreated",
            target_arn=role.arn,
            account_id=run.account.aws_account_id,
            task_id=run.task_id,
            details={"sync_run": run.pk},
        )
        notify(
            responders(),
            f"{role.name} in {run.account.name} was recreated",
            kind=NotificationKind.RECREATED_ROLE,
            level=Notification.Level.WARNING,
            body="It was deleted through rolecall and has appeared again (for ECS, creating a "
            "cluster recreates the role).",
            link=reverse("role-detail", args=[role.pk]),
        )


def _finish(run: SyncRun, snapshot, result: StoreResult) -> None:
    region_errors = {r.region: r.error for r in snapshot.region_results if r.error}
    # Another service's read that failed, keyed "<region> <principal>" ("global" for one
    # read per account): the region is stale for that service's roles only.
    region_errors |= {
        f"{r.region} {r.principal}": r.error for r in snapshot.service_results if r.error
    }
    role_errors = {r.summary.arn: r.error for r in snapshot.roles if r.error}
    run.status = Status.PARTIAL if region_errors or role_errors else Status.SUCCEEDED
    run.finished = timezone.now()
    run.aws_calls = snapshot.calls
    run.regions = snapshot.regions
    run.region_errors, run.role_errors = region_errors, role_errors
    run.counts = {
        "roles": result.roles_seen,
        "new_roles": result.roles_new,
        "gone_roles": len(result.roles_gone),
        "recreated_roles": len(result.roles_recreated),
        "clusters": result.clusters,
        "regions_ok": result.regions_ok,
        "regions_failed": result.regions_failed,
        "service_resources": result.service_resources,
        "service_reads_failed": result.service_reads_failed,
    }
    run.save(
        update_fields=[
            "status",
            "finished",
            "aws_calls",
            "regions",
            "region_errors",
            "role_errors",
            "counts",
        ]
    )
    summarise([run.account_id])  # its last success
    AuditEvent.objects.record(
        "sync.finished",
        outcome=Outcome.SUCCESS if run.status == Status.SUCCEEDED else Outcome.FAILURE,
        account_id=run.account.aws_account_id,
        task_id=run.task_id,
        details={
            "sync_run": run.pk,
            "status": run.status,
            "counts": run.counts,
            "aws_calls": run.aws_calls,
            "region_errors": region_errors,
            "role_errors": role_errors,
            "gone": result.roles_gone,
        },
    )
    _record_recreated(run, result.roles_recreated)
    if run.status == Status.PARTIAL:
        failed = ", ".join(f"{region} ({e.get('code')})" for region, e in region_errors.items())
        _notify_failure(
            run, f"Regions not synced: {failed}" if failed else "Some roles could not be read."
        )


def run_sync(run_id: int, task_id: str = "") -> SyncRun | None:
    """Do the sync a SyncRun row describes. Safe to call twice for the same run."""
    run = _claim(run_id, task_id)
    if run is None:
        return None
    account = run.account
    try:
        snapshot = collect(account.target(), list(account.regions))
    except AwsError as exc:
        close_failed(run, exc.as_dict())
        return run
    except Exception as exc:  # noqa: BLE001 - any failure must end the run, not leave it running
        log.exception("sync run %s failed", run.pk)
        close_failed(run, _crash(exc))
        return run
    try:
        with transaction.atomic():
            result = store(account, snapshot)
            _finish(run, snapshot, result)
    except Exception as exc:  # noqa: BLE001 - the store rolled back; record why
        log.exception("sync run %s failed while storing", run.pk)
        run.refresh_from_db()
        close_failed(run, _crash(exc))
    return run


def schedule_all() -> list[SyncRun]:
    """Beat's periodic sync: one run per enabled account its organization has not
    paused (roles/organizations/discovery.py), joining any active one."""
    accounts = Account.objects.filter(enabled=True, paused="")
    return [start_sync(a, reason="scheduled") for a in accounts]

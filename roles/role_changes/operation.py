"""Direct changes (roles/role_changes/models.py) as the sweeper sees them
(roles/jobs/__init__.py Operation).

A queued change untouched for longer than the grace gets its task again; past the
re-dispatch limit it fails (SweeperGaveUp). A running change whose task cannot
still be alive (started more than CELERY_TASK_TIME_LIMIT + grace ago) is not sent
again: its worker may have made the AWS call before it died, so it is closed at
once as failed, and the requester is told to look at the role (the next sync
shows AWS's truth) before asking again.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from roles import jobs
from roles.audit.models import AuditEvent
from roles.jobs import Operation
from roles.role_changes.models import RoleChange
from roles.role_changes.service import APPLY_TASK
from roles.role_changes.worker import finish

State = RoleChange.State


def _overdue_q(grace: float) -> Q:
    now = timezone.now()
    running_cutoff = now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + grace)
    return Q(state=State.QUEUED, updated__lt=now - timedelta(seconds=grace)) | Q(
        state=State.RUNNING, started__lt=running_cutoff
    )


def attempts(change: RoleChange) -> int:
    if change.state == State.RUNNING:  # never sent twice: see the module docstring
        return settings.ROLECALL_SWEEPER_MAX_DISPATCHES
    return change.dispatch_attempts


def give_up(change: RoleChange) -> None:
    error = jobs.gave_up("change", change, change.state)
    if change.state == State.RUNNING:
        body = (
            f"{error['message']} AWS may have made the change before the worker stopped: "
            "look at the role (the next sync shows it as AWS has it) before asking again."
        )
    else:
        body = f"{error['message']} Nothing was sent to AWS; ask again when the workers are back."
    finish(change, error, notify_body=body)


def redispatch(change: RoleChange) -> bool:
    return jobs.publish(APPLY_TASK, change.pk)


def sent(change: RoleChange) -> None:
    count = jobs.counted(change)
    RoleChange.objects.filter(pk=change.pk).update(updated=timezone.now())
    AuditEvent.objects.record(
        "role.change_redispatched",
        account_id=change.bound_account_id,
        target_arn=change.target_arn,
        details={"role_change": change.pk, "kind": change.kind, "dispatch_attempts": count},
    )


CHANGES = Operation(
    name="change",
    model=RoleChange,
    overdue_q=_overdue_q,
    related=("account", "requested_by"),
    give_up=give_up,
    redispatch=redispatch,
    sent=sent,
    attempts=attempts,
)

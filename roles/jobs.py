"""Background jobs: publishing tasks by their stable names, and the retry schedule.

The database is the truth for long-running work; a Celery message is only a hint
that can vanish, so every publish here is allowed to fail: the failure is logged,
the caller's `on_failure` marks the row if it wants, and the sweeper
(roles/sweeper.py) sends the task again later. Tasks are found by name in the
Celery app's registry, so step code schedules its next step without importing
the task modules (which import the step code: no import circle).

Queues (settings.CELERY_TASK_ROUTES): syncs and discoveries go to `sync`, changes
(deletions, cleanups, description edits, role creations) to `changes`, everything
else to `celery`; a worker started without `--queues` consumes all three, and the
Procfiles name them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import F

log = logging.getLogger(__name__)

# Stable task names (roles/tasks/): a renamed task strands messages queued during a deploy.
SUBMIT_DELETION = "rolecall.deletion.submit"
POLL_DELETION = "rolecall.deletion.poll"
CLEANUP_REGION = "rolecall.cleanup.region"
SYNC_ACCOUNT = "rolecall.sync.account"
DISCOVER_ORGANIZATION = "rolecall.organizations.discover"
APPLY_CHANGE = "rolecall.changes.apply"
# Notifications by email and webhook (roles/outbound/), on the default queue.
SEND_EMAIL = "rolecall.outbound.email"
SEND_WEBHOOK = "rolecall.outbound.webhook"

SYNC_QUEUE, CHANGES_QUEUE, DEFAULT_QUEUE = "sync", "changes", "celery"


def backoff(n: int) -> float:
    """1 s, 2 s, 4 s ... capped: countdowns stay far below the broker's visibility timeout.
    The one schedule for every retry and poll of every operation."""
    start, cap = settings.ROLECALL_POLL_BACKOFF_START, settings.ROLECALL_POLL_BACKOFF_CAP
    return float(min(start * 2 ** max(n - 1, 0), cap))


def publish(
    name: str, *args, countdown: float = 0, on_failure: Callable[[], None] | None = None
) -> bool:
    """Send task `name` now. A broker failure is logged, `on_failure` runs, and the
    answer is False: the row stays as it is and the sweeper sends it later."""
    try:
        current_app.tasks[name].apply_async(args=list(args), countdown=countdown or None)
    except Exception:  # noqa: BLE001 - any broker error: the row is the truth
        log.exception("could not publish %s%s; the sweeper will", name, args)
        if on_failure is not None:
            on_failure()
        return False
    return True


@dataclass(frozen=True)
class Publish:
    """A publish waiting for the transaction to commit (what on_commit holds)."""

    task: str
    args: tuple
    countdown: float = 0
    on_failure: Callable[[], None] | None = None

    def __call__(self) -> None:
        publish(self.task, *self.args, countdown=self.countdown, on_failure=self.on_failure)


def after_commit(
    name: str, *args, countdown: float = 0, on_failure: Callable[[], None] | None = None
) -> None:
    """Publish once the current transaction commits (never for a rolled-back change)."""
    transaction.on_commit(Publish(name, args, countdown, on_failure))


def _nothing(row) -> None:
    return None


@dataclass(frozen=True)
class Operation:
    """One kind of long-running operation, as the sweeper (roles/sweeper.py) sees it.

    Every operation is a database row that a task moves on; when its message is
    lost (a broker restart, a failed publish, a dead worker) the row stays behind
    and is overdue. The sweeper asks each operation for its overdue rows, locks
    each one (claim: None when a worker moved it on meanwhile), and then either
    gives up on it (past ROLECALL_SWEEPER_MAX_DISPATCHES re-dispatches: closed with
    SweeperGaveUp, audited, people told) or sends its task again and records that.
    """

    name: str
    overdue: Callable[[float], list]  # keys of the rows overdue by more than the grace
    claim: Callable[[object, float], object | None]  # in a transaction: the locked row
    give_up: Callable[[object], None]  # in the claim's transaction
    redispatch: Callable[[object], bool]  # after it: publish the task again
    sent: Callable[[object], None]  # count the re-dispatch and audit it
    prepare: Callable[[object], None] = _nothing  # in the claim's transaction, before publishing
    attempts: Callable[[object], int] = field(default=lambda row: row.dispatch_attempts)


def counted(row) -> int:
    """Count one more re-dispatch of `row` (atomically, in the database); the new count."""
    type(row).objects.filter(pk=row.pk).update(dispatch_attempts=F("dispatch_attempts") + 1)
    return row.dispatch_attempts + 1


def gave_up(noun: str, row, state: str) -> dict:
    """The error (AwsError.as_dict() shape) a row is closed with when the sweeper gives up."""
    limit = settings.ROLECALL_SWEEPER_MAX_DISPATCHES
    message = (
        f"The sweeper re-dispatched this {noun} {row.dispatch_attempts} times (limit {limit}) "
        f"and no worker moved it on; it was stopped while {state}."
    )
    return {"code": "SweeperGaveUp", "message": message, "request_id": "", "operation": ""}

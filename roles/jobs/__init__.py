"""Background jobs: publishing tasks by their stable names, the retry schedule, and
the operations the sweeper watches.

The database is the truth for long-running work; a Celery message is only a hint
that can vanish, so every publish here is allowed to fail: the failure is logged,
the caller's `on_failure` marks the row if it wants, and the sweeper
(roles/jobs/sweeper.py) sends the task again later. Tasks are found by name in the
Celery app's registry, so step code schedules its next step without importing
the task modules (which import the step code: no import circle).

Nothing here knows a feature. Each feature registers, from its ready()
(roles/<feature>/__init__.py, called by roles/apps.py): every task name with its
queue (register_task), and its long-running operations (register). A name nobody
registered is a bug, not a broker outage: publish() raises UnknownTask.

Queues: syncs and discoveries go to `sync`, changes (deletions, cleanups,
description edits, role creations, campaigns) to `changes`, everything else to
`celery`; route() tells Celery (settings.CELERY_TASK_ROUTES). A worker started
without `--queues` consumes all three, and the Procfiles name them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q

log = logging.getLogger(__name__)

SYNC_QUEUE, CHANGES_QUEUE, DEFAULT_QUEUE = "sync", "changes", "celery"
QUEUES = (CHANGES_QUEUE, SYNC_QUEUE, DEFAULT_QUEUE)

# Stable task names (each feature's tasks.py): a renamed task strands messages queued
# during a deploy. Name -> queue, as the features registered them.
_TASKS: dict[str, str] = {}


class UnknownTask(LookupError):
    """A task name no feature registered, or whose task was never defined: a misspelt
    or forgotten name. Raised, never taken for a broker outage: the row would wait for
    a sweeper that can never send it."""


def register_task(name: str, queue: str = DEFAULT_QUEUE) -> str:
    """Declare task `name` and the queue it runs on; the name, for the caller to keep."""
    if queue not in QUEUES:
        raise ValueError(f"{name}: unknown queue {queue!r}")
    if _TASKS.setdefault(name, queue) != queue:
        raise ValueError(f"{name} is registered on {_TASKS[name]!r} already, not {queue!r}")
    return name


def registered() -> dict[str, str]:
    """Every registered task name and its queue."""
    return dict(_TASKS)


def route(name: str, args=None, kwargs=None, options=None, task=None, **kw) -> dict | None:
    """Celery's router (settings.CELERY_TASK_ROUTES): a registered task's queue."""
    queue = _TASKS.get(name)
    return {"queue": queue} if queue else None


def lookup(name: str):
    """The Celery task registered as `name`; UnknownTask if there is none."""
    found = current_app.tasks.get(name) if name in _TASKS else None
    if found is None:
        raise UnknownTask(f"No task is registered as {name!r}.")
    return found


def backoff(n: int) -> float:
    """1 s, 2 s, 4 s ... capped: countdowns stay far below the broker's visibility timeout.
    The one schedule for every retry and poll of every operation."""
    start, cap = settings.ROLECALL_POLL_BACKOFF_START, settings.ROLECALL_POLL_BACKOFF_CAP
    return float(min(start * 2 ** max(n - 1, 0), cap))


def publish(
    name: str, *args, countdown: float = 0, on_failure: Callable[[], None] | None = None
) -> bool:
    """Send task `name` now. A broker failure is logged, `on_failure` runs, and the
    answer is False: the row stays as it is and the sweeper sends it later. An
    unknown name raises UnknownTask, before anything is sent."""
    found = lookup(name)
    try:
        found.apply_async(args=list(args), countdown=countdown or None)
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
    """Publish once the current transaction commits (never for a rolled-back change).
    An unknown name raises here, in the transaction, rather than after the commit."""
    lookup(name)
    transaction.on_commit(Publish(name, args, countdown, on_failure))


def _nothing(row) -> None:
    return None


def _always(row, grace: float) -> bool:
    return True


@dataclass(frozen=True)
class Operation:
    """One kind of long-running operation, as the sweeper (roles/jobs/sweeper.py) sees it.

    Every operation is a database row that a task moves on; when its message is
    lost (a broker restart, a failed publish, a dead worker) the row stays behind
    and is overdue. The sweeper asks each operation for its overdue rows, locks
    each one (claim: None when a worker moved it on meanwhile), and then either
    gives up on it (past ROLECALL_SWEEPER_MAX_DISPATCHES re-dispatches: closed with
    SweeperGaveUp through the feature's own ending, audited, people told) or sends
    its task again and records that.

    overdue() and claim() come from the model, its overdue filter and the related
    rows the operation reads.
    """

    name: str
    model: type
    overdue_q: Callable[[float], Q]  # the rows overdue by more than the grace (seconds)
    give_up: Callable[[object], None]  # in the claim's transaction: the feature's ending
    redispatch: Callable[[object], bool]  # after it: publish the task again
    sent: Callable[[object], None]  # count the re-dispatch and audit it
    related: tuple[str, ...] = ()  # read with the locked row (select_related)
    order: tuple[str, ...] = ("pk",)
    batch: int | None = None  # at most this many a sweep
    skip_locked: bool = False  # a row locked right now is being worked on: not overdue
    due: Callable[[object, float], bool] = _always  # a last word on each overdue row
    prepare: Callable[[object], None] = _nothing  # in the claim's transaction, before publishing
    attempts: Callable[[object], int] = field(default=lambda row: row.dispatch_attempts)

    def overdue(self, grace: float) -> list[int]:
        """Keys of the rows overdue by more than `grace` seconds."""
        rows = self.model.objects.filter(self.overdue_q(grace)).order_by(*self.order)
        if self.due is not _always:
            return [row.pk for row in rows if self.due(row, grace)][: self.batch]
        return list(rows.values_list("pk", flat=True)[: self.batch])

    def claim(self, pk, grace: float):
        """In a transaction: the row, locked, if it is still overdue (else None: a
        worker moved it on since the listing)."""
        lock = {"skip_locked": self.skip_locked, "of": ("self",) if self.related else ()}
        rows = self.model.objects.select_for_update(no_key=True, **lock)
        return rows.filter(self.overdue_q(grace), pk=pk).select_related(*self.related).first()


_OPERATIONS: dict[str, Operation] = {}


def register(operation: Operation) -> Operation:
    """Hand an operation to the sweeper."""
    _OPERATIONS[operation.name] = operation
    return operation


def operations() -> tuple[Operation, ...]:
    """Every registered operation, in the order they were registered."""
    return tuple(_OPERATIONS.values())


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

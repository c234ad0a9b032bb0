"""The sweeper: re-dispatch work whose Celery message was lost.

The database is the truth for every long-running operation; a Celery message is
only a hint that can vanish (a Redis restart or FLUSHALL, a publish that failed
while the broker was down, a worker killed while holding an acknowledged-late
message, which Redis would only hand out again after the visibility timeout).
Beat runs sweep() every ROLECALL_SWEEPER_INTERVAL seconds (roles/jobs/tasks.py).

Each operation (roles/jobs/__init__.py Operation) says when one of its rows is overdue,
how to send its task again and how to give up on it; each feature registers its own
(deletion requests, sync runs, cleanup regions, direct changes, campaigns, email and
webhook deliveries: roles/<feature>/operation.py), and the sweeper knows none of them
by name. The policy is the same for all: a row overdue by
more than ROLECALL_SWEEPER_GRACE seconds gets its task again and the re-dispatch
is counted and audited (a delivery's is only counted: see its module); past
ROLECALL_SWEEPER_MAX_DISPATCHES it is closed (SweeperGaveUp), audited and the
people concerned told, so nothing is retried forever. A publish that fails is not counted.

Re-dispatching is safe because every task re-reads its row under a lock and
acts only from the state it expects.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction

from roles import jobs
from roles.jobs import Operation

log = logging.getLogger(__name__)


@dataclass
class SweepResult:
    """What one sweep did, by operation name and primary key (logged, read by tests)."""

    sent: dict[str, list[int]] = field(default_factory=dict)
    gave_up: dict[str, list[int]] = field(default_factory=dict)
    not_sent: list[str] = field(default_factory=list)

    @property
    def deletions(self) -> list[int]:
        return self.sent.get("deletion", [])

    @property
    def syncs(self) -> list[int]:
        return self.sent.get("sync", [])

    @property
    def cleanups(self) -> list[int]:
        return self.sent.get("cleanup", [])

    @property
    def gave_up_deletions(self) -> list[int]:
        return self.gave_up.get("deletion", [])

    @property
    def gave_up_syncs(self) -> list[int]:
        return self.gave_up.get("sync", [])

    @property
    def gave_up_cleanups(self) -> list[int]:
        return self.gave_up.get("cleanup", [])

    @property
    def empty(self) -> bool:
        return not (any(self.sent.values()) or any(self.gave_up.values()) or self.not_sent)

    def as_dict(self) -> dict:
        return {"sent": self.sent, "gave_up": self.gave_up, "not_sent": self.not_sent}


def sweep(
    grace: float | None = None, operations: tuple[Operation, ...] | None = None
) -> SweepResult:
    """Re-dispatch every overdue row of every operation (every registered one unless
    named); give up on those past the limit."""
    grace = settings.ROLECALL_SWEEPER_GRACE if grace is None else grace
    operations = jobs.operations() if operations is None else operations
    result = SweepResult()
    for operation in operations:
        for key in operation.overdue(grace):
            _sweep_one(operation, key, grace, result)
    if not result.empty:
        log.warning("sweeper: %s", result.as_dict())
    return result


def _sweep_one(operation: Operation, key, grace: float, result: SweepResult) -> None:
    with transaction.atomic():
        row = operation.claim(key, grace)
        if row is None:
            return  # a worker moved it on since the listing
        if operation.attempts(row) >= settings.ROLECALL_SWEEPER_MAX_DISPATCHES:
            operation.give_up(row)
            result.gave_up.setdefault(operation.name, []).append(key)
            return
        operation.prepare(row)
    if not operation.redispatch(row):
        result.not_sent.append(f"{operation.name} {key}")
        return
    operation.sent(row)
    result.sent.setdefault(operation.name, []).append(key)

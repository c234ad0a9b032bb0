"""The sweeper: re-dispatch work whose Celery message was lost.

The database is the truth for every long-running operation; a Celery message is
only a hint that can vanish (a Redis restart or FLUSHALL, a publish that failed
while the broker was down, a worker killed while holding an acknowledged-late
message, which Redis would only hand out again after the visibility timeout).
Beat runs sweep() every ROLECALL_SWEEPER_INTERVAL seconds (roles/tasks/sweeper.py).

Each operation (roles/jobs.py Operation) says when one of its rows is overdue,
how to send its task again and how to give up on it: deletion requests
(roles/deletion/operation.py), sync runs (roles/sync/operation.py), cleanup
regions (roles/cleanup/operation.py), direct changes (roles/change_operation.py),
campaigns (roles/campaigns/operation.py) and email and webhook deliveries
(roles/outbound/operation.py). The policy is the same for all: a row overdue by
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

from roles.campaigns.operation import CAMPAIGNS
from roles.change_operation import CHANGES
from roles.cleanup.operation import CLEANUPS
from roles.deletion.operation import DELETIONS
from roles.jobs import Operation
from roles.outbound.operation import DELIVERIES
from roles.sync.operation import SYNCS

log = logging.getLogger(__name__)
OPERATIONS: tuple[Operation, ...] = (DELETIONS, SYNCS, CLEANUPS, CHANGES, CAMPAIGNS, DELIVERIES)


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
    grace: float | None = None, operations: tuple[Operation, ...] = OPERATIONS
) -> SweepResult:
    """Re-dispatch every overdue row of every operation; give up on those past the limit."""
    grace = settings.ROLECALL_SWEEPER_GRACE if grace is None else grace
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

"""Emulator-wide state that is not part of moto: the lock, latency and call counters.

moto's backends are plain dicts and lists, not safe to mutate from many threads at
once.  Every AWS call is dispatched into moto while holding ``LOCK``; injected
latency is slept *outside* it so that concurrent calls still overlap in time the
way they do against real AWS.
"""

from __future__ import annotations

import threading
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

LOCK = threading.RLock()

HUB_ACCOUNT = "123456789012"


@dataclass
class Latency:
    base_ms: float = 0.0
    regions: dict[str, float] = field(default_factory=dict)

    def seconds_for(self, region: str | None) -> float:
        ms = self.regions.get(region or "", self.base_ms)
        return max(ms, 0.0) / 1000.0

    def as_dict(self) -> dict:
        return {"ms": self.base_ms, "regions": dict(self.regions)}


class CallCounter:
    """Counts every AWS call received, by operation, account and region."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._total = 0
            self._ops: Counter[str] = Counter()
            self._by_account: defaultdict[str, Counter[str]] = defaultdict(Counter)
            self._by_region: defaultdict[str, Counter[str]] = defaultdict(Counter)

    def record(self, operation: str, account: str, region: str) -> None:
        with self._lock:
            self._total += 1
            self._ops[operation] += 1
            self._by_account[account][operation] += 1
            self._by_region[region][operation] += 1

    def snapshot(self) -> dict:
        with self._lock:
            return {
                "total": self._total,
                "operations": dict(sorted(self._ops.items())),
                "by_account": {a: dict(sorted(c.items())) for a, c in self._by_account.items()},
                "by_region": {r: dict(sorted(c.items())) for r, c in self._by_region.items()},
            }


@dataclass
class RunState:
    scenario: str = "demo"
    # Values given on the command line; a reset returns to them.
    default_latency_ms: float = 0.0
    default_enforce_iam: bool = False
    enforce_iam: bool = False
    latency: Latency = field(default_factory=Latency)
    calls: CallCounter = field(default_factory=CallCounter)
    # The scenario's parameters at the last reset, and the calls since then that may
    # have changed an account (any operation but a read, and the control endpoint's
    # role-last-used and managed-policy-version): with the knobs, what /state reports.
    params: dict = field(default_factory=dict)
    writes: int = 0
    # What the scenario counted its dates back from, at the last reset.
    now: datetime = field(default_factory=lambda: datetime.now(UTC).replace(microsecond=0))


# Operations that only read (or, for Access Advisor, start a report): every other
# operation counts as a write in RunState.writes.
READS = ("Get", "List", "Describe", "Generate", "Simulate", "Lookup", "AssumeRole")


def is_read(operation: str) -> bool:
    return operation.startswith(READS)


RUN = RunState()

"""Changes bound to an account while they run, and the one rule that reads them: an
account is not re-pointed (another AWS id, other roles) while one is under way.

A deletion request or a cleanup plan is confirmed, and approved, for the account as
it was: its worker refuses to act once the account points elsewhere
(roles/deletion/evidence.py). So the pages that re-point accounts (an account's
edit, an organization's member roles) refuse while any is under way, and say what.
Each feature registers its own kind of change from its ready(); nothing here knows
them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet


@dataclass(frozen=True)
class Bound:
    key: str  # its count in audit details: "deletions"
    noun: str  # "deletion request"
    active: Callable[[], QuerySet]  # the rows under way (each with an `account`)


_BOUND: dict[str, Bound] = {}


def register(key: str, noun: str, active: Callable[[], QuerySet]) -> None:
    _BOUND[key] = Bound(key, noun, active)


@dataclass(frozen=True)
class InFlight:
    counts: dict[str, int]  # by key, every registered kind (audit details)

    def __bool__(self) -> bool:
        return any(self.counts.values())

    @property
    def words(self) -> str:
        """ "1 deletion request(s) and 0 cleanup plan(s)"."""
        parts = [f"{self.counts[b.key]} {b.noun}(s)" for b in _BOUND.values()]
        return " and ".join([", ".join(parts[:-1]), parts[-1]]) if len(parts) > 1 else parts[0]


def in_flight(**where) -> InFlight:
    """What is under way in the accounts `where` names, as a filter on the rows
    (account=a, account__organization=org): falsy when nothing is."""
    return InFlight({b.key: b.active().filter(**where).count() for b in _BOUND.values()})

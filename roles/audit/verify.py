"""Check the audit chain end to end (used by manage.py verify_audit)."""

from __future__ import annotations

from dataclasses import dataclass

from roles.audit import chain
from roles.models import AuditEvent

PRUNE_ACTION = "audit.pruned"


@dataclass
class Verdict:
    ok: bool
    count: int
    broken_seq: int | None = None
    reason: str = ""


def _expected_start(first: AuditEvent) -> tuple[str, str] | None:
    """(prev_hash, explanation) the oldest remaining event must carry."""
    if first.seq == 1:
        return chain.GENESIS, "the chain's first event"
    checkpoint = (
        AuditEvent.objects.filter(action=PRUNE_ACTION, details__pruned_through_seq=first.seq - 1)
        .order_by("seq")
        .first()
    )
    if checkpoint is None:
        return None
    return checkpoint.details.get("continues_from_hash", ""), f"checkpoint #{checkpoint.seq}"


def verify(chunk_size: int = 5000) -> Verdict:
    count = 0
    previous: AuditEvent | None = None
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=chunk_size):
        if previous is None:
            expected = _expected_start(event)
            if expected is None:
                return Verdict(False, count, event.seq, "history starts here without a checkpoint")
            if event.prev_hash != expected[0]:
                return Verdict(False, count, event.seq, f"prev_hash does not match {expected[1]}")
        else:
            if event.seq != previous.seq + 1:
                return Verdict(False, count, previous.seq + 1, "event missing from the sequence")
            if event.prev_hash != previous.hash:
                return Verdict(False, count, event.seq, "prev_hash does not match event before it")
        if chain.event_hash(event) != event.hash:
            return Verdict(False, count, event.seq, "content does not match its hash (edited)")
        previous = event
        count += 1
    return Verdict(True, count)

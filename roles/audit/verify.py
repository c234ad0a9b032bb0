"""Check the audit chain end to end (used by manage.py verify_audit).

Modes. Without ROLECALL_AUDIT_HMAC_KEY every row must match its plain SHA-256;
a keyed row cannot be checked and is reported as not matching. With the key,
each row is recomputed both ways, and:

- rows hashed before the key was set (plain) are accepted only as the oldest
  part of the history: once a keyed row appears, a plain row after it means
  someone without the key rewrote that part and recomputed the hashes;
- a history with no keyed row at all is refused: nothing can tell it from a
  full rewrite without the key, so one event recorded after setting the key
  (any sign-in) is needed before it verifies;
- a row matching neither was edited, or was keyed with another key (the key
  must not change; there is no rotation).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from roles.audit import chain
from roles.audit.models import AuditEvent

PRUNE_ACTION = "audit.pruned"


@dataclass
class Verdict:
    ok: bool
    count: int
    broken_seq: int | None = None
    reason: str = ""
    keyed: bool = False  # verified with ROLECALL_AUDIT_HMAC_KEY
    plain_through: int | None = None  # last seq hashed without the key, when keyed
    keyed_from: int | None = None  # first keyed seq

    @property
    def mode(self) -> str:
        """What was verified, in words (verify_audit prints it)."""
        if not self.keyed:
            return "plain SHA-256; ROLECALL_AUDIT_HMAC_KEY is not set"
        text = "HMAC-SHA256 with ROLECALL_AUDIT_HMAC_KEY"
        if self.keyed_from is not None:
            text += f" from event #{self.keyed_from}"
        if self.plain_through is not None:
            text += f"; plain SHA-256 through #{self.plain_through}, before the key was set"
        return text


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


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def _content(event: AuditEvent, secret: bytes | None, verdict: Verdict) -> str:
    """Why the row's hash is wrong for its content and place, or "" when it is right."""
    if secret is None:
        if _same(chain.plain_hash(event), event.hash):
            return ""
        return (
            "content does not match its hash (edited, or keyed: set ROLECALL_AUDIT_HMAC_KEY "
            "to verify keyed events)"
        )
    if _same(chain.keyed_hash(event, secret), event.hash):
        if verdict.keyed_from is None:
            verdict.keyed_from = event.seq
        return ""
    if _same(chain.plain_hash(event), event.hash):
        if verdict.keyed_from is not None:
            return (
                f"hashed without the key after keyed events began at #{verdict.keyed_from} "
                "(rewritten by someone without ROLECALL_AUDIT_HMAC_KEY)"
            )
        verdict.plain_through = event.seq
        return ""
    return "content does not match its hash (edited, or keyed with a different key)"


def verify(chunk_size: int = 5000) -> Verdict:
    secret = chain.key()
    verdict = Verdict(True, 0, keyed=secret is not None)

    def broken(seq: int, reason: str) -> Verdict:
        verdict.ok, verdict.broken_seq, verdict.reason = False, seq, reason
        return verdict

    previous: AuditEvent | None = None
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=chunk_size):
        if previous is None:
            expected = _expected_start(event)
            if expected is None:
                return broken(event.seq, "history starts here without a checkpoint")
            if event.prev_hash != expected[0]:
                return broken(event.seq, f"prev_hash does not match {expected[1]}")
        else:
            if event.seq != previous.seq + 1:
                return broken(previous.seq + 1, "event missing from the sequence")
            if event.prev_hash != previous.hash:
                return broken(event.seq, "prev_hash does not match event before it")
        problem = _content(event, secret, verdict)
        if problem:
            return broken(event.seq, problem)
        previous = event
        verdict.count += 1
    if secret is not None and verdict.count and verdict.keyed_from is None:
        return broken(
            previous.seq,
            "no event is keyed although ROLECALL_AUDIT_HMAC_KEY is set: either none was "
            "recorded since the key was set (record one, e.g. sign in, and verify again) or "
            "the history was rewritten without the key",
        )
    return verdict

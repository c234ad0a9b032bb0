"""The hash chain over audit events, plain SHA-256 or keyed HMAC-SHA256.

hash = SHA-256(canonical JSON of the event's fields, including prev_hash), or,
when ROLECALL_AUDIT_HMAC_KEY is set, HMAC-SHA256 of the same bytes under that
key. Which one a row used is not stored: verify.py recomputes both and so
tells keyed rows from plain ones (roles/audit/verify.py explains the rules).
The canonical form is sorted-key, ASCII-only JSON, so it is the same whichever
database stored the row. actor_id is deliberately not hashed: deleting a user
sets it to NULL (the copied actor_name, which is hashed, keeps who it was).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder

GENESIS = "0" * 64

HASHED_FIELDS = (
    "seq",
    "time",
    "actor_name",
    "source_ip",
    "action",
    "outcome",
    "target_arn",
    "account_id",
    "region",
    "aws_request_id",
    "deletion_task_id",
    "task_id",
    "details",
    "prev_hash",
)


def clean_text(value: str) -> str:
    # PostgreSQL text and jsonb cannot hold NUL; keep it visible as data.
    return value.replace("\x00", "\\x00")


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_text(str(k)): _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def jsonable(details: dict[str, Any]) -> dict[str, Any]:
    """details as plain JSON types, exactly as they will read back from the database."""
    return _clean(json.loads(json.dumps(details, cls=DjangoJSONEncoder)))


def _time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(event) -> bytes:
    fields = {name: getattr(event, name) for name in HASHED_FIELDS}
    fields["time"] = _time(fields["time"])
    fields["source_ip"] = fields["source_ip"] or ""
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def key() -> bytes | None:
    value = settings.ROLECALL_AUDIT_HMAC_KEY
    return value.encode() if value else None


def plain_hash(event) -> str:
    return hashlib.sha256(canonical(event)).hexdigest()


def keyed_hash(event, secret: bytes) -> str:
    return hmac.new(secret, canonical(event), hashlib.sha256).hexdigest()


def event_hash(event) -> str:
    """The hash a new event is written with: keyed whenever a key is configured."""
    secret = key()
    return keyed_hash(event, secret) if secret else plain_hash(event)

"""The SHA-256 chain over audit events.

hash = SHA-256(canonical JSON of the event's fields, including prev_hash).
The canonical form is sorted-key, ASCII-only JSON, so it is the same whichever
database stored the row. actor_id is deliberately not hashed: deleting a user
sets it to NULL (the copied actor_name, which is hashed, keeps who it was).
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

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


def event_hash(event) -> str:
    return hashlib.sha256(canonical(event)).hexdigest()

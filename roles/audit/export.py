"""Streamed exports of the audit history: CSV and JSON Lines.

Rows are read with a server-side cursor in chunks and written as they come,
so an export of millions of events never sits in memory.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator

from django.db.models import QuerySet

from roles.audit import chain
from roles.audit.models import AuditEvent
from roles.web.exports import neutralise

# Every hashed field, then the hash: an auditor can re-verify the chain from an export.
COLUMNS = (*chain.HASHED_FIELDS, "hash")
CHUNK = 2000


def as_record(event: AuditEvent) -> dict:
    record = {name: getattr(event, name) for name in COLUMNS}
    record["time"] = event.time.isoformat()
    record["source_ip"] = event.source_ip or ""
    return record


def _rows(qs: QuerySet[AuditEvent]) -> Iterator[dict]:
    for event in qs.iterator(chunk_size=CHUNK):
        yield as_record(event)


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(qs: QuerySet[AuditEvent]) -> Iterable[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(COLUMNS)
    for record in _rows(qs):
        record["details"] = json.dumps(record["details"], sort_keys=True)
        yield writer.writerow([neutralise(str(record[name])) for name in COLUMNS])


def jsonl_lines(qs: QuerySet[AuditEvent]) -> Iterable[str]:
    for record in _rows(qs):
        yield json.dumps(record, sort_keys=True) + "\n"

"""A small export (a page's table as CSV or JSON) built in memory. The roles list and
the audit history stream theirs instead (roles/inventory/views/roles.py, roles/audit/export.py)."""

from __future__ import annotations

import csv
import io
import json
import re

from django.http import StreamingHttpResponse
from django.utils import timezone

from roles.web.text import make_visible

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """Make a spreadsheet show a cell as text instead of evaluating it (OWASP CSV injection)."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def download(
    rows: list[dict], columns: tuple[str, ...], fmt: str, name: str
) -> StreamingHttpResponse:
    """rows as an attachment `name-<UTC stamp>.<fmt>`; AWS-sourced text is shown visibly
    and kept from being evaluated as a spreadsheet formula in CSV."""
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([neutralise(make_visible(str(row[c]))) for c in columns])
        body, kind = out.getvalue(), "text/csv; charset=utf-8"
    else:
        body, kind = json.dumps(rows, indent=1), "application/json"
    # Streamed like the other exports, so every export answers alike.
    response = StreamingHttpResponse(iter([body]), content_type=kind)
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    safe = _UNSAFE.sub("_", name)
    response["Content-Disposition"] = f'attachment; filename="{safe}-{stamp}.{fmt}"'
    return response

"""Refusals, recorded. Every state-changing view that refuses a user calls deny()."""

from __future__ import annotations

from typing import NoReturn

from django.core.exceptions import PermissionDenied

from roles.models import AuditEvent, Outcome


def deny(request, attempted: str, *, target_arn: str = "", account_id: str = "") -> NoReturn:
    """Write a `denied` audit event for the attempt, then answer 403."""
    AuditEvent.objects.record(
        "auth.denied",
        outcome=Outcome.DENIED,
        request=request,
        target_arn=target_arn,
        account_id=account_id,
        details={"attempted": attempted, "method": request.method, "path": request.path},
    )
    raise PermissionDenied(attempted)

"""Who may do what, checked on the server, and refusals recorded.

Every state-changing view calls one of the require_* helpers before acting;
a refusal writes a `denied` audit event and answers 403.
"""

from __future__ import annotations

from typing import NoReturn

from django.core.exceptions import PermissionDenied

from roles import groups
from roles.models import AuditEvent, Outcome


def _in(user, *names: str) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_rolecall_groups", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        user._rolecall_groups = cached
    return bool(cached & set(names))


def can_view(user) -> bool:
    return _in(user, groups.VIEWER, groups.OPERATOR, groups.APPROVER)


def can_operate(user) -> bool:
    # Like every can_* below, true for superusers too (_in).
    return _in(user, groups.OPERATOR)


def can_approve(user) -> bool:
    return _in(user, groups.APPROVER)


def can_admin(user) -> bool:
    return user.is_authenticated and user.is_active and user.is_superuser


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


def require(request, check, attempted: str, **target) -> None:
    if not check(request.user):
        deny(request, attempted, **target)

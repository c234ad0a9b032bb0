"""Who may do what, checked on the server, and refusals recorded.

Every state-changing view checks through this module before acting: `require`
for a page about no row, `get_or_deny` (and `role_for`, `account_for`) for a
row, which it finds or answers 404, then checks. A refusal writes a `denied`
audit event naming the row's role and account, and answers 403.
"""

from __future__ import annotations

from typing import NoReturn

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from roles.access import groups
from roles.audit.models import AuditEvent, Outcome
from roles.core.models import Account


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


def target(obj) -> dict:
    """What a refusal about `obj` names (its audit_target()): an account's id; a role's
    or a change's role ARN and account id."""
    arn, account_id = obj.audit_target()
    return {"target_arn": arn, "account_id": account_id} if arn else {"account_id": account_id}


def get_or_deny(request, rows: QuerySet, pk: int, check, attempted: str):
    """The row `pk` of `rows` (404 if none), once `check` allows the user (else 403)."""
    obj = get_object_or_404(rows, pk=pk)
    require(request, check, attempted, **target(obj))
    return obj


def account_for(request, pk: int, check, attempted: str) -> Account:
    return get_or_deny(request, Account.objects.all(), pk, check, attempted)

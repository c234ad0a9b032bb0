"""Roles and accounts rolecall must never delete.

Checked when a deletion is requested and again just before it is submitted
to AWS (roles/deletion/), so a rule added in between still stops it.
"""

from __future__ import annotations

from fnmatch import fnmatchcase

from django.conf import settings

from roles.models.protection import ProtectedRule


def protected_because(*, role_name: str, role_arn: str, account_id: str) -> str | None:
    """Why this role is protected, or None."""
    if account_id in settings.ROLECALL_PROTECTED_ACCOUNTS:
        return f"Account {account_id} is protected (ROLECALL_PROTECTED_ACCOUNTS)."
    for pattern in settings.ROLECALL_PROTECTED_ROLES:
        if fnmatchcase(role_name, pattern) or fnmatchcase(role_arn, pattern):
            return f"The role matches the protected pattern {pattern!r} (ROLECALL_PROTECTED_ROLES)."
    for rule in ProtectedRule.objects.all():
        if rule.kind == ProtectedRule.Kind.ACCOUNT and rule.pattern == account_id:
            return f"Account {account_id} is protected: {rule.reason}"
        if rule.kind == ProtectedRule.Kind.ROLE and (
            fnmatchcase(role_name, rule.pattern) or fnmatchcase(role_arn, rule.pattern)
        ):
            return f"The role matches the protected pattern {rule.pattern!r}: {rule.reason}"
    return None


def role_protection(role) -> str | None:
    return protected_because(
        role_name=role.name, role_arn=role.arn, account_id=role.account.aws_account_id
    )

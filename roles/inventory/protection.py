"""Roles and accounts rolecall must never delete.

Checked when a deletion is requested and again just before it is submitted
to AWS (roles/deletion/), so a rule added in between still stops it."""

from __future__ import annotations

import re
from fnmatch import fnmatchcase

from django.conf import settings
from django.db import models


class ProtectedRule(models.Model):
    """Something rolecall must never delete; edited on the admin page, audited.

    Settings add rules of their own (ROLECALL_PROTECTED_ROLES / _ACCOUNTS); see
    roles/inventory/protection.py for how both are applied.
    """

    class Kind(models.TextChoices):
        ROLE = "role", "role name or ARN (glob pattern)"
        ACCOUNT = "account", "account id"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    pattern = models.CharField(
        max_length=2048, help_text="e.g. AWSServiceRoleForOrganizations, *SSO*, or 111111111111"
    )
    reason = models.CharField(max_length=500)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "pattern"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "pattern"], name="one_protected_rule")
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.pattern}"


_ACCOUNT_SEPARATORS = re.compile(r"[\s-]")


def role_matches(pattern: str, *, role_name: str, role_arn: str) -> bool:
    """A glob on the role name or ARN, regardless of case.

    IAM role names are unique regardless of case ("Names are not distinguished
    by case", IAM API reference, CreateRole, RoleName), so a rule written
    `awsservicerolefororganizations` names the same role and must protect it.
    """
    pattern = pattern.casefold()
    return fnmatchcase(role_name.casefold(), pattern) or fnmatchcase(role_arn.casefold(), pattern)


def normal_account_id(text: str) -> str:
    """An account id as AWS writes it: "1111-2222-3333" and " 111122223333" are the same id."""
    return _ACCOUNT_SEPARATORS.sub("", text)


def account_matches(pattern: str, account_id: str) -> bool:
    return normal_account_id(pattern) == normal_account_id(account_id)


def protected_because(*, role_name: str, role_arn: str, account_id: str, rules=None) -> str | None:
    """Why this role is protected, or None. `rules`: the ProtectedRule rows, when the
    caller checks many roles and has read them once."""
    for account in settings.ROLECALL_PROTECTED_ACCOUNTS:
        if account_matches(account, account_id):
            return f"Account {account_id} is protected (ROLECALL_PROTECTED_ACCOUNTS)."
    for pattern in settings.ROLECALL_PROTECTED_ROLES:
        if role_matches(pattern, role_name=role_name, role_arn=role_arn):
            return f"The role matches the protected pattern {pattern!r} (ROLECALL_PROTECTED_ROLES)."
    for rule in ProtectedRule.objects.all() if rules is None else rules:
        if rule.kind == ProtectedRule.Kind.ACCOUNT and account_matches(rule.pattern, account_id):
            return f"Account {account_id} is protected: {rule.reason}"
        if rule.kind == ProtectedRule.Kind.ROLE and role_matches(
            rule.pattern, role_name=role_name, role_arn=role_arn
        ):
            return f"The role matches the protected pattern {rule.pattern!r}: {rule.reason}"
    return None


def rules_matching_nothing(rules) -> list[ProtectedRule]:
    """The rules that match no known role or account: likely a typo, shown on the admin page.

    Two queries whatever the number of rules (roles with their account ids, and accounts),
    then matched in memory.
    """
    from roles.core.models import Account
    from roles.inventory.models import ServiceLinkedRole

    roles = list(ServiceLinkedRole.objects.values_list("name", "arn", "account__aws_account_id"))
    accounts = {
        normal_account_id(a) for a in Account.objects.values_list("aws_account_id", flat=True)
    }
    unmatched = []
    for rule in rules:
        if rule.kind == ProtectedRule.Kind.ACCOUNT:
            matched = normal_account_id(rule.pattern) in accounts
        else:
            matched = any(
                role_matches(rule.pattern, role_name=name, role_arn=arn) for name, arn, _ in roles
            )
        if not matched:
            unmatched.append(rule)
    return unmatched


def role_protection(role) -> str | None:
    return protected_because(
        role_name=role.name, role_arn=role.arn, account_id=role.account.aws_account_id
    )

"""The emulator's demo accounts (emulator/scenarios/demo.py), as rolecall sees them."""

from __future__ import annotations

from roles.core.models import Account
from roles.inventory import summary

EXTERNAL_ID = "rolecall-demo"
AUDIT_ROLE = "arn:aws:iam::{account}:role/RolecallAudit"
# The two roles of deploy/aws/member-roles.yaml, which every emulated account has.
CHANGE_ROLE = "arn:aws:iam::{account}:role/RolecallChange"

ACCOUNTS = (
    # (account id, name, assume a role?, production)
    ("123456789012", "security-hub", False, False),
    ("111111111111", "acme-prod", True, True),
    ("222222222222", "acme-staging", True, False),
)


def ensure_accounts() -> list[Account]:
    accounts = []
    for account_id, name, assume, production in ACCOUNTS:
        account, _ = Account.objects.update_or_create(
            aws_account_id=account_id,
            defaults={
                "name": name,
                "role_arn": AUDIT_ROLE.format(account=account_id) if assume else "",
                "change_role_arn": CHANGE_ROLE.format(account=account_id) if assume else "",
                "external_id": EXTERNAL_ID if assume else "",
                "production": production,
                "enabled": True,
            },
        )
        accounts.append(account)
    summary.summarise(accounts)
    return accounts

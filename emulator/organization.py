"""The emulated AWS Organization, built from moto's own Organizations models.

moto keeps an organization in its management account's backend
(``organizations_backends[account]["aws"]``: ``org``, ``ou`` with the root first,
``accounts``), and maps each member account to its management account in
``organizations_backends.master_accounts``, so that DescribeOrganization answers in
a member account too. Scenarios build the organization here with their fixed
account ids; afterwards the organization is changed through the API (CreateAccount,
CloseAccount, MoveAccount from the management account), as in AWS.

Accounts are added as moto's ``FakeAccount`` without running its constructor, which
would also create ``OrganizationAccountAccessRole`` in an IAM backend of a random
account id: a scenario's members joined by invitation (``JoinedMethod`` INVITED), and
AWS creates that role only in accounts that CreateAccount makes. Each account gets a
distinct JoinedTimestamp, which moto's ListAccounts paginates on.
"""

from __future__ import annotations

from datetime import UTC, datetime

from moto.iam.models import iam_backends
from moto.organizations import utils
from moto.organizations.models import (
    FakeAccount,
    FakeOrganization,
    OrganizationsBackend,
    organizations_backends,
)

PARTITION = "aws"
REGION = "us-east-1"  # Organizations' endpoint Region in the aws partition


def _naive(when: datetime) -> datetime:
    """moto keeps account times as naive UTC (its ``utcnow()``)."""
    return when.astimezone(UTC).replace(tzinfo=None) if when.tzinfo else when


def reset() -> None:
    """Forget every member-to-management mapping (moto's reset leaves it behind)."""
    organizations_backends.master_accounts.clear()


def backend(account: str) -> OrganizationsBackend:
    return organizations_backends[account][PARTITION]


def of(account: str) -> FakeOrganization | None:
    """The organization ``account`` belongs to (as management account or member), or None."""
    own = backend(account).org
    if own is not None:
        return own
    held = organizations_backends.master_accounts.get(account)
    return backend(held[0]).org if held else None


def is_member(account: str) -> bool:
    """In an organization, but not its management account."""
    return backend(account).org is None and account in organizations_backends.master_accounts


class Builder:
    """One organization: its management account, OUs by path, and member accounts."""

    def __init__(
        self, management: str, name: str, email: str, joined: datetime, feature_set: str = "ALL"
    ):
        self.backend = backend(management)
        before = set(iam_backends)
        self.backend.create_organization(region=REGION, FeatureSet=feature_set)
        # moto's management FakeAccount made OrganizationAccountAccessRole under a
        # random account id before taking the management account's id: drop that backend.
        for stray in set(iam_backends) - before - {management}:
            del iam_backends[stray]
        self.org = self.backend.org
        self.org.master_account_email = email
        master = self.backend.accounts[0]
        master.name, master.email, master.create_time = name, email, _naive(joined)
        self.root = self.backend.ou[0]
        self._scp_rcp = [p for p in self.backend.policies if p.aws_managed]
        self._ous: dict[tuple[str, ...], str] = {(): self.root.id}

    def ou(self, path: tuple[str, ...]) -> str:
        """The id of the OU at ``path`` (names from the root down), made if missing."""
        if path not in self._ous:
            parent = self.ou(path[:-1])
            made = self.backend.create_organizational_unit(Name=path[-1], ParentId=parent)
            self._ous[path] = made["OrganizationalUnit"]["Id"]
        return self._ous[path]

    def account(
        self,
        account_id: str,
        name: str,
        email: str,
        path: tuple[str, ...],
        joined: datetime,
        status: str = "ACTIVE",
    ) -> FakeAccount:
        """A member account at ``path``, ACTIVE or SUSPENDED, as if it had accepted an
        invitation at ``joined`` (distinct per account)."""
        account = FakeAccount.__new__(FakeAccount)
        account.__dict__.update(
            type="ACCOUNT",
            region=self.org.region,
            organization_id=self.org.id,
            master_account_id=self.org.master_account_id,
            create_account_status_id=f"car-{account_id[-8:]}",
            id=account_id,
            name=name,
            email=email,
            create_time=_naive(joined),
            status=status,
            state=status,
            joined_method="INVITED",
            parent_id=self.ou(path),
            attached_policies=[],
            tags={},
        )
        # What moto's CreateAccount attaches: the default SCP and RCP (FullAWSAccess).
        for policy in self._scp_rcp:
            account.attached_policies.append(policy)
            policy.attachments.append(account)
        self.backend.accounts.append(account)
        organizations_backends.master_accounts[account_id] = (
            self.org.master_account_id,
            PARTITION,
        )
        return account


def arn(account: str, kind: str, resource_id: str) -> str | None:
    """The ARN of a root, OU or account of ``account``'s organization (Service
    Authorization Reference, AWS Organizations, resource types), or None outside one."""
    org = of(account)
    if org is None:
        return None
    formats = {
        "root": utils.ROOT_ARN_FORMAT,
        "ou": utils.OU_ARN_FORMAT,
        "account": utils.ACCOUNT_ARN_FORMAT,
    }
    return formats[kind].format(PARTITION, org.master_account_id, org.id, resource_id)


def parent_arn(account: str, parent_id: str) -> str | None:
    """A root (``r-...``) or OU (``ou-...``) id as the ARN policies name it."""
    if parent_id.startswith("r-"):
        return arn(account, "root", parent_id)
    if parent_id.startswith("ou-"):
        return arn(account, "ou", parent_id)
    return None

"""Reading an AWS Organization: its accounts, their state and where they sit.

Every call here can be made only from the management account or a delegated
administrator (AWS Organizations API Reference, ListAccounts:
https://docs.aws.amazon.com/organizations/latest/APIReference/API_ListAccounts.html);
from any other account AWS answers AccessDeniedException, or
AWSOrganizationsNotInUseException when the account is in no organization.

- The OU tree: ListRoots, then ListOrganizationalUnitsForParent and
  ListAccountsForParent from the root down, so each account gets its OU path.
- ListAccounts: every account, with its State (PENDING_ACTIVATION, ACTIVE,
  SUSPENDED, PENDING_CLOSURE, CLOSED). The older Status field is retired on
  2026-09-09 (Organizations User Guide, "Monitor the state of your AWS accounts":
  https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_accounts_account_state.html),
  so State is read and Status only stands in where State is missing.
- Every list takes MaxResults 1-20 (the API Reference's MaxResults range) and may
  answer an empty page with a NextToken: botocore's paginators follow NextToken
  until it is absent, as the reference asks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from roles.aws.errors import AwsError
from roles.aws.session import AccountSession

PAGE_SIZE = 20  # the most each Organizations list operation returns


@dataclass(frozen=True)
class OrgAccount:
    id: str
    name: str
    email: str
    state: str
    joined: datetime | None
    parent_id: str = ""
    ou_ids: tuple[str, ...] = ()  # root and OUs from the root down to the parent
    ou_names: tuple[str, ...] = ()  # the OUs' names (the root has none)


@dataclass
class Listing:
    organization_id: str
    partition: str
    root_id: str
    accounts: list[OrgAccount] = field(default_factory=list)
    ous: dict[str, str] = field(default_factory=dict)  # OU id -> name
    calls: int = 0


@dataclass(frozen=True)
class Description:
    """DescribeOrganization's answer: the organization and who manages it."""

    id: str
    management_account_id: str  # the answer's MasterAccountId
    feature_set: str
    request_id: str


def describe(session: AccountSession) -> Description:
    """organizations:DescribeOrganization through `session`: any account of an
    organization may call it, and its MasterAccountId is "the unique identifier (ID)
    of the management account of an organization" (API Reference,
    https://docs.aws.amazon.com/organizations/latest/APIReference/API_DescribeOrganization.html).
    AwsError on any failure (AWSOrganizationsNotInUseException outside any)."""
    try:
        answer = session.client("organizations").describe_organization()
    except Exception as exc:
        raise AwsError.from_exception(exc, "DescribeOrganization") from exc
    org = answer.get("Organization", {})
    return Description(
        id=org.get("Id", ""),
        management_account_id=org.get("MasterAccountId", ""),
        feature_set=org.get("FeatureSet", ""),
        request_id=answer.get("ResponseMetadata", {}).get("RequestId", ""),
    )


def _pages(client, operation: str, key: str, **kwargs) -> list[dict]:
    name = "".join(part.title() for part in operation.split("_"))
    try:
        pages = client.get_paginator(operation).paginate(
            **kwargs, PaginationConfig={"PageSize": PAGE_SIZE}
        )
        return [item for page in pages for item in page.get(key, [])]
    except Exception as exc:
        raise AwsError.from_exception(exc, name) from exc


def _state(account: dict) -> str:
    return account.get("State") or account.get("Status") or "ACTIVE"


def read(session: AccountSession) -> Listing:
    """The whole organization, read through `session` (AwsError on any failure)."""
    client = session.client("organizations")
    roots = _pages(client, "list_roots", "Roots")
    if not roots:
        raise AwsError("NoRoot", "ListRoots answered no root.", operation="ListRoots")
    root = roots[0]
    # arn:aws:organizations::<management account>:root/o-xxxxxxxxxx/r-xxxx
    arn = root.get("Arn", "")
    parts = arn.split(":")
    resource = parts[5].split("/") if len(parts) > 5 else []
    listing = Listing(
        organization_id=resource[1] if len(resource) > 2 else "",
        partition=parts[1] if len(parts) > 1 and parts[1] else "aws",
        root_id=root["Id"],
    )
    placed: dict[str, tuple[str, tuple, tuple]] = {}
    todo = [(root["Id"], (root["Id"],), ())]
    while todo:
        parent, ids, names = todo.pop()
        for account in _pages(client, "list_accounts_for_parent", "Accounts", ParentId=parent):
            placed[account["Id"]] = (parent, ids, names)
        children = _pages(
            client, "list_organizational_units_for_parent", "OrganizationalUnits", ParentId=parent
        )
        for ou in children:
            listing.ous[ou["Id"]] = ou.get("Name", "")
            todo.append((ou["Id"], (*ids, ou["Id"]), (*names, ou.get("Name", ""))))
    for account in _pages(client, "list_accounts", "Accounts"):
        # An account moved while the tree was read has no place: discovery keeps its last.
        parent, ids, names = placed.get(account["Id"], ("", (), ()))
        listing.accounts.append(
            OrgAccount(
                id=account["Id"],
                name=account.get("Name", ""),
                email=account.get("Email", ""),
                state=_state(account),
                joined=account.get("JoinedTimestamp"),
                parent_id=parent,
                ou_ids=ids,
                ou_names=names,
            )
        )
    listing.calls = session.calls
    return listing

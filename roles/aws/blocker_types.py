"""What a blocker read returns and how it is described: shared by roles/aws/blockers.py
(the readers of resources per region) and roles/aws/organization_reads.py (what an
organization keeps in the account)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from roles.aws.errors import AwsError
from roles.aws.errors import call as _call

GLOBAL = "global"  # the region name of a read that is not per region (Organizations)

# What a reader may report that is not a resource but a state of the account the verdict
# must speak of (roles/inventory/rules.py Rule.states): never part of RoleUsageList.
NO_ORGANIZATION = "No organization"
CONSOLIDATED_BILLING = "Organization with consolidated billing only"
STATES = frozenset({NO_ORGANIZATION, CONSOLIDATED_BILLING})
EACH = -1  # Reader.calls: a call made once per resource found


@dataclass(frozen=True)
class Resource:
    kind: str  # what it is, as the service's guide names it ("DB instance")
    arn: str  # as RoleUsageList reports it: the ARN, or the name where AWS gives no ARN
    name: str
    status: str = ""
    # The role the resource says it uses, for services whose resources name theirs
    # (Auto Scaling groups, Config recorders): it blocks only that role.
    role_arn: str = ""


@dataclass(frozen=True)
class Reader:
    read: Callable  # (client_for, region, account_id) -> list[Resource]
    actions: tuple[str, ...]  # the IAM read actions it needs (deploy/aws/)
    # Each call a read makes: the kinds of resource it returns and its page size
    # (0: one call, unpaginated; EACH: one call per resource of those kinds). What
    # bench/sync.py counts as the minimum.
    calls: tuple[tuple[tuple[str, ...], int], ...]
    scope: str = "region"  # "region": every scanned region; GLOBAL: once
    per_role: bool = False  # resources name their role (Resource.role_arn)
    # What a read that finds nothing says ("no Redshift cluster"), for the catalogue's
    # readers (roles/aws/readers/); the first services' rules say it themselves.
    found: str = ""
    # Calls made in one Region only, on top of `calls` (WAF's CloudFront scope, answered in
    # us-east-1): (region, (kinds, page size)).
    region_calls: tuple[tuple[str, tuple[tuple[str, ...], int]], ...] = ()
    # The boto3 client of a service AWS offers in some Regions only: elsewhere the read
    # makes no call (roles/aws/listing.py offered()).
    some_regions: str = ""
    # What the read leaves unseen that AWS names too (API Gateway's HTTP APIs): then a
    # read that finds nothing says "Not checked", never "Can be deleted now".
    unseen: str = ""


def partition(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def _pages(client, operation: str, items: str, token_in: str, token_out: str, **kwargs) -> Iterator:
    """Every item of a paginated call, following its token."""
    seen: set[str] = set()
    while True:
        page = _call(client, operation, **kwargs)
        yield from page.get(items) or []
        token = page.get(token_out)
        if not token:
            return
        if token in seen:  # an API that hands back a token twice would loop forever
            raise AwsError("RepeatedToken", f"{operation} returned the same page token twice")
        seen.add(token)
        kwargs[token_in] = token

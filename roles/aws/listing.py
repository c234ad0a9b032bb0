"""Readers declared as the list calls that see a service's blockers.

Most services' guides name one kind of resource that must be gone before their role
can be deleted, and one paginated list call shows them all. A `Listing` says which
call, where its items and page token are, what each item's ARN, name and status are,
and which items count; `reader()` turns one or more into a `Reader` (its IAM actions
and page sizes come from the same declaration, so docs/catalogue.md, the read role in
deploy/aws/ and bench/sync.py's minimum all agree with what the read does).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

import botocore.session

from roles.aws.blocker_types import EACH, Reader, Resource, _call, _pages, partition


@dataclass(frozen=True)
class Listing:
    client: str  # the boto3 client's name ("redshift")
    method: str  # the boto3 method ("describe_clusters")
    action: str  # the IAM action it needs ("redshift:DescribeClusters")
    items: str  # the answer's key holding the list
    kind: str  # what each item is, as the service's guide names it
    name: str  # the item's key for its name or id
    # The item's key for its ARN, or a format of the item's keys and {partition},
    # {region}, {account}: "arn:{partition}:redshift:{region}:{account}:cluster:{Name}".
    arn: str
    status: str = ""  # the item's key for its state, if any
    token_in: str = ""  # the request's page token ("" : one call, unpaginated)
    token_out: str = ""
    page_param: str = ""  # the request's page size parameter
    page_size: int = 0  # the largest page the API reference allows (0: unpaginated)
    params: dict = field(default_factory=dict)  # fixed request parameters
    # Which items count (None: every item), given the item.
    keep: Callable[[dict], bool] | None = None
    role: str = ""  # the item's key naming the role it uses (Reader.per_role)
    # The item's key holding a nested list to read instead (one item per element).
    each: str = ""
    # A service AWS offers in some Regions only (botocore's endpoint data): elsewhere there
    # is no endpoint to ask and nothing that could hold the role, so nothing is read.
    some_regions: bool = False

    def arn_of(self, item: dict, region: str, account: str) -> str:
        if "{" not in self.arn:
            return item[self.arn]
        return self.arn.format(partition=partition(region), region=region, account=account, **item)

    def read(self, client_for, region: str, account: str) -> list[Resource]:
        if self.some_regions and not offered(self.client, region):
            return []
        client = client_for(self.client, region)
        kwargs = dict(self.params)
        if self.page_param:
            kwargs[self.page_param] = self.page_size
        if self.token_out:
            found = _pages(client, self.method, self.items, self.token_in, self.token_out, **kwargs)
        else:
            found = _call(client, self.method, **kwargs).get(self.items) or []
        return [
            Resource(
                self.kind,
                self.arn_of(item, region, account),
                str(item[self.name]),
                str(item.get(self.status, "")) if self.status else "",
                str(item.get(self.role) or "") if self.role else "",
            )
            for item in found
            if self.keep is None or self.keep(item)
        ]


@cache
def offered(service: str, region: str) -> bool:
    """Does AWS offer the service in the region, as botocore's endpoint data says?"""
    session = botocore.session.get_session()
    return region in session.get_available_regions(service, partition(region))


def reader(*listings: Listing, found: str, per_role: bool = False) -> Reader:
    """A Reader that makes each listing's calls in turn, in every scanned region; found:
    what it says when it finds nothing ("no Redshift cluster")."""

    def read(client_for, region: str, account: str) -> list[Resource]:
        return [r for listing in listings for r in listing.read(client_for, region, account)]

    return Reader(
        read,
        tuple(dict.fromkeys(listing.action for listing in listings)),
        tuple(((listing.kind,), listing.page_size) for listing in listings),
        per_role=per_role,
        found=found,
        some_regions=next((x.client for x in listings if x.some_regions), ""),
    )


def state(
    read: Callable[[object, str, str], list[Resource]], action: str, kind: str, *, found: str
) -> Reader:
    """A Reader of a state the guide names (a service enabled in the region): one
    unpaginated call, which reports the state as one Resource when it blocks; found: what
    it says when the state does not block ("Macie is not enabled")."""
    return Reader(read, (action,), (((kind,), 0),), found=found)


__all__ = ["EACH", "Listing", "reader", "state"]

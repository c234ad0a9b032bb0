"""Every AWS service with a service-linked role, as its own pages describe it.

`catalogue.json` holds one entry per role family: the service, its principal and role
names, the page that documents the role and AWS's words there on what must be gone
before the role can be deleted (quoted, with where they were read), where that is
(each Region, the account, the organization), the read calls that can see it, and what
was left unconfirmed. The services come from the IAM User Guide's table "AWS services
that work with IAM" (its newest copy found, 2023-06-15), plus those the table missed.
docs/catalogue.md is written from it (scripts/catalogue_doc.py), and the services
without a rule of their own in roles/inventory/rules.py take theirs from it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

PATH = Path(__file__).with_name("catalogue.json")
TABLE_DATE = "2023-06-15"  # the copy of "AWS services that work with IAM" read


@dataclass(frozen=True)
class Entry:
    service: str
    principal: str  # "" where AWS's pages name none
    roles: list[str]
    page: str
    source: str  # where the page was read
    quote: str  # AWS's words on deleting the role
    blocks: str  # what must be gone first, in rolecall's words ("" when AWS names nothing)
    where: str  # region | account | organization | none | refused
    reads: list[dict]  # the read calls that can see it: operation, action, page size, page
    verdict: str  # what the reading allows: reader | not_checked | refused
    why: str  # when not read: why, in a sentence
    unconfirmed: str  # what the reading left open
    also_listed_as: list[str] = field(default_factory=list)
    shared_principal: bool = False  # another role of another family has this principal


@cache
def entries() -> tuple[Entry, ...]:
    return tuple(Entry(**item) for item in json.loads(PATH.read_text()))


def by_principal() -> dict[str, Entry]:
    """The first entry of each principal (a principal two role families share keeps the
    first for its rule; docs/catalogue.md lists both)."""
    found: dict[str, Entry] = {}
    for entry in entries():
        if entry.principal:
            found.setdefault(entry.principal, entry)
    return found

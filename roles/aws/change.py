"""The change session: the account's change role, assumed for one change, naming who asked.

Reading and changing are separate roles (deploy/aws/member-roles.yaml). The sync,
evidence re-reads and planning use the account's read role (Account.target()).
Just before a change, the worker assumes the change role for that change alone,
with:

- SourceIdentity: the user who asked for it (source_identity below: the username
  and rolecall's id of the user). AWS keeps it on every call the session makes,
  and CloudTrail records it (IAM User Guide, "Monitor and control actions taken
  with assumed roles"); the shipped trust policy refuses a session without one.
- Session tags ``rolecall-requester``, ``rolecall-approver`` (when someone
  approved) and ``rolecall-request`` (the rolecall request, e.g. ``deletion-12``),
  which CloudTrail records with the AssumeRole call (IAM User Guide, "Passing
  session tags in AWS STS").
- The shortest session AWS allows: ROLECALL_CHANGE_SESSION_SECONDS, 900 by default
  (AssumeRole API reference: DurationSeconds 900 up to the role's maximum).

An account with no change role makes its changes through its read role (or
rolecall's own credentials) as before, without separation or attribution.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from django.conf import settings

from roles.aws.session import Target

# AssumeRole's SourceIdentity: 2-64 characters of [\w+=,.@-] (ASCII), not "aws:..."
# (docs/aws.md, "Who AWS is told asked").
NOT_IN_SOURCE_IDENTITY = re.compile(r"[^\w+=,.@-]", re.ASCII)
SOURCE_IDENTITY_MAX = 64
# Session tag values: letters, digits, spaces and _ . : / = + - @ (up to 256).
NOT_IN_TAG = re.compile(r"[^\w .:/=+@-]")
REQUESTER, APPROVER, REQUEST = "rolecall-requester", "rolecall-approver", "rolecall-request"


@dataclass(frozen=True)
class Change:
    """One change rolecall is about to make, and the people behind it."""

    request: str  # e.g. "deletion-12", "cleanup-5", "description-3f2a..."
    requester: str
    approver: str = ""
    requester_id: int | None = None  # rolecall's id of the requester; None once deleted


def source_identity(username: str, user_id: int | None) -> str:
    """Who asked, as CloudTrail shows it: the username in the characters STS accepts
    (any other becomes "-"), a ".", and rolecall's id of the user.

    The name is for people reading the trail; the id makes the value one person's
    alone. "jösé" and "j-s-" both read "j-s-", and a name cut to fit 64 characters
    loses its end, but each value still ends in its own user's id, and the same user
    always gets the same value. A requester whose user row was deleted since has no
    id: "x" and 12 hex digits of the name's SHA-256 stand in, never all digits, so
    never another user's id.
    """
    if user_id is None:
        suffix = "x" + hashlib.sha256(username.encode()).hexdigest()[:12]
    else:
        suffix = str(user_id)
    name = NOT_IN_SOURCE_IDENTITY.sub("-", username)[: SOURCE_IDENTITY_MAX - len(suffix) - 1]
    return f"{name}.{suffix}"


def tag_value(value: str) -> str:
    return NOT_IN_TAG.sub("-", value)[:256]


def change_target(account, change: Change) -> Target:
    """The Target a change in `account` is made through (see the module docstring)."""
    if not account.change_role_arn:
        return account.target()
    tags = [(REQUESTER, tag_value(change.requester))]
    if change.approver:
        tags.append((APPROVER, tag_value(change.approver)))
    tags.append((REQUEST, tag_value(change.request)))
    return Target(
        account.aws_account_id,
        account.change_role_arn,
        account.external_id,
        session_name=f"rolecall-{change.request}"[:64],
        source_identity=source_identity(change.requester, change.requester_id),
        tags=tuple(tags),
        duration_seconds=settings.ROLECALL_CHANGE_SESSION_SECONDS,
    )

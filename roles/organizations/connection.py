"""Is the organization the one typed? AWS is asked before a connection is stored.

The form checks that the role is in the account typed as the management account;
only AWS knows whether that account manages the organization. DescribeOrganization,
through the organization's role, answers with the organization's MasterAccountId ("the
unique identifier (ID) of the management account of an organization", AWS
Organizations API Reference). A member account can call it too ("This operation can be
called from any account in the organization"), so a member's id typed as the
management account is caught here, not at the first discovery. Used by the connect and
edit views (roles/organizations/views.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

from roles.aws import organizations
from roles.aws.errors import AwsError
from roles.aws.session import AccountSession


@dataclass(frozen=True)
class Refusal:
    field: str | None  # the form field the message belongs to (None: the whole form)
    message: str
    request_id: str = ""
    details: dict = field(default_factory=dict)


def refusal(org) -> Refusal | None:
    """Why AWS's answer refuses connecting `org` (unsaved) as typed, or None."""
    typed = org.management_account_id
    try:
        found = organizations.describe(AccountSession(org.target()))
    except AwsError as exc:
        return Refusal(
            None,
            f"AWS could not confirm that {typed} manages the organization: {exc}. Nothing "
            "was stored. Check the role and its external id, and that the role may call "
            "organizations:DescribeOrganization (deploy/aws/organization-role.yaml).",
            exc.request_id,
            {"reason": "DescribeOrganization failed", "typed": typed, "error": exc.as_dict()},
        )
    if found.management_account_id != typed:
        return Refusal(
            "management_account_id",
            f"AWS says the management account of organization {found.id} is "
            f"{found.management_account_id}, not {typed}. Nothing was stored: give the "
            "management account's id and a role in it.",
            found.request_id,
            {
                "reason": "management account mismatch",
                "typed": typed,
                "reported": found.management_account_id,
                "aws_organization": found.id,
            },
        )
    return None

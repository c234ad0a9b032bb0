"""Amazon Macie: "Before you delete the role, you must disable Macie in each AWS Region
where you enabled it." (docs/catalogue.md). GetMacieSession, one unpaginated call: a
session, ENABLED or PAUSED (suspended is not disabled), blocks. Where Macie is off AWS
answers AccessDeniedException "Macie is not enabled."; the same code without those words
is a refusal to read, raised as any other."""

from __future__ import annotations

from roles.aws.blocker_types import Resource, _call, partition
from roles.aws.errors import AwsError
from roles.aws.listing import state

KIND = "Macie"


def session_arn(region: str, account: str) -> str:
    """AWS documents no ARN for an account's Macie session, and RoleUsageList's resources
    are ARNs: rolecall names it in Macie's ARN form, as the session of the Region."""
    return f"arn:{partition(region)}:macie2:{region}:{account}:session"


def session(client_for, region: str, account: str) -> list[Resource]:
    try:
        answer = _call(client_for("macie2", region), "get_macie_session")
    except AwsError as exc:
        if exc.code == "AccessDeniedException" and "not enabled" in exc.message.lower():
            return []
        raise
    return [Resource(KIND, session_arn(region, account), "Amazon Macie", answer.get("status", ""))]


READERS = {
    "macie.amazonaws.com": state(
        session, "macie2:GetMacieSession", KIND, found="Macie is not enabled"
    )
}

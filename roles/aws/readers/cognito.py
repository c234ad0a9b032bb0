"""Amazon Cognito user pools: "Before you can delete AmazonCognitoIdp or
AmazonCognitoIdpEmailService service-linked roles, you must do one of the following for
each user pool that uses the role: Delete the user pool. Update the email settings in
the user pool to use the default email functionality" (docs/catalogue.md).

For AWSServiceRoleForAmazonCognitoIdpEmailService, the pools that use it are those whose
email goes through the account's Amazon SES (EmailConfiguration.EmailSendingAccount
DEVELOPER; COGNITO_DEFAULT is the default functionality). ListUserPools, 60 a page
(MaxResults is required), names the pools without their email settings or ARN, so each
pool is read with DescribeUserPool.

AWSServiceRoleForAmazonCognitoIdp is not read: the guide's remedies are for email, and it
does not say which pools use that role."""

from roles.aws.blocker_types import EACH, Reader, Resource, _call, _pages
from roles.aws.errors import AwsError

KIND = "User pool"


def _describe(client, pool_id: str) -> dict | None:
    """The pool's full description; None if it was deleted since it was listed."""
    try:
        return _call(client, "describe_user_pool", UserPoolId=pool_id)["UserPool"]
    except AwsError as exc:
        if exc.code == "ResourceNotFoundException":
            return None
        raise


def email_pools(client_for, region: str, account: str) -> list[Resource]:
    """The region's user pools that send their email through Amazon SES."""
    client = client_for("cognito-idp", region)
    found = []
    for listed in _pages(
        client, "list_user_pools", "UserPools", "NextToken", "NextToken", MaxResults=60
    ):
        pool = _describe(client, listed["Id"])
        email = (pool or {}).get("EmailConfiguration") or {}
        if email.get("EmailSendingAccount") == "DEVELOPER":
            found.append(Resource(KIND, pool["Arn"], pool["Name"], pool.get("Status", "")))
    return found


READERS = {
    "email.cognito-idp.amazonaws.com": Reader(
        email_pools,
        ("cognito-idp:ListUserPools", "cognito-idp:DescribeUserPool"),
        # DescribeUserPool: one call per pool listed; at least one per pool kept.
        (((KIND,), 60), ((KIND,), EACH)),
        found="no user pool that sends email through Amazon SES",
    ),
}

"""Amazon Cognito's reader (roles/aws/readers/cognito.py) against the emulator: a user
pool that sends email through Amazon SES holds the email role until it is deleted or
switched to Cognito's default email."""

from roles.aws.service_reads import read_role
from tests.support.catalogue import account_aws, deletion, holds_to_the_contract, the_role

PRINCIPAL = "email.cognito-idp.amazonaws.com"
# DescribeUserPool is asked once per pool listed: the least-privilege tests make one first
# (tests/aws/test_least_privilege.py).
STAGE = {
    "cognito-idp:DescribeUserPool": lambda admin_for: admin_for("cognito-idp").create_user_pool(
        PoolName="least-privilege"
    )
}
SES = {
    "EmailSendingAccount": "DEVELOPER",
    "SourceArn": "arn:aws:ses:eu-west-1:222222222222:identity/example.com",
    "From": "no-reply@example.com",
}


def _make(made: dict):
    def make(client_for, region):
        pool = client_for("cognito-idp", region).create_user_pool(
            PoolName="customers", EmailConfiguration=SES
        )["UserPool"]
        made["id"] = pool["Id"]
        return [pool["Arn"]]

    return make


def test_a_pool_sending_through_ses_blocks_the_role_until_it_is_deleted(emulator):
    made: dict[str, str] = {}

    def remove(client_for, region):
        client_for("cognito-idp", region).delete_user_pool(UserPoolId=made["id"])

    predicted = holds_to_the_contract(PRINCIPAL, _make(made), remove)
    assert predicted[0]["Resources"] == [
        f"arn:aws:cognito-idp:eu-west-1:222222222222:userpool/{made['id']}"
    ]


def test_a_pool_switched_to_the_default_email_no_longer_blocks(emulator):
    made: dict[str, str] = {}

    def remove(client_for, region):
        client_for("cognito-idp", region).update_user_pool(
            UserPoolId=made["id"], EmailConfiguration={"EmailSendingAccount": "COGNITO_DEFAULT"}
        )

    holds_to_the_contract(PRINCIPAL, _make(made), remove)


def test_a_pool_with_the_default_email_does_not_block(emulator):
    aws = account_aws()
    aws.client("cognito-idp", "eu-west-1").create_user_pool(PoolName="staff")
    name, arn = the_role(PRINCIPAL)
    assert read_role(aws, PRINCIPAL, arn, threads=2) == []
    assert deletion(name)["Status"] == "SUCCEEDED"

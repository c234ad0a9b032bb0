"""Accounts: AssumeRole only into roles that exist and trust the hub; per-account state."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError

HUB = "123456789012"
PROD = "111111111111"
STAGING = "222222222222"
AUDIT = "arn:aws:iam::{}:role/RolecallAudit"


def test_assume_role_with_external_id(aws):
    sts = aws.client("sts")
    answer = sts.assume_role(
        RoleArn=AUDIT.format(PROD), RoleSessionName="rolecall", ExternalId="rolecall-demo"
    )
    assert answer["AssumedRoleUser"]["Arn"] == (
        "arn:aws:sts::111111111111:assumed-role/RolecallAudit/rolecall"
    )
    assert answer["Credentials"]["AccessKeyId"]


@pytest.mark.parametrize(
    "role_arn, external_id",
    [
        (AUDIT.format(PROD), None),  # ExternalId required by the trust policy
        (AUDIT.format(PROD), "wrong"),  # ExternalId must match
        ("arn:aws:iam::111111111111:role/DoesNotExist", "rolecall-demo"),
        ("arn:aws:iam::999999999999:role/RolecallAudit", "rolecall-demo"),  # unknown account
        # acme-legacy: a suspended member of the demo organization, with no roles at all
        ("arn:aws:iam::444444444444:role/RolecallAudit", "rolecall-demo"),
        (
            "arn:aws:iam::111111111111:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS",
            None,
        ),  # trusts only ecs.amazonaws.com
    ],
)
def test_assume_role_denied(aws, role_arn, external_id):
    sts = aws.client("sts")
    kwargs = {"RoleArn": role_arn, "RoleSessionName": "rolecall"}
    if external_id:
        kwargs["ExternalId"] = external_id
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role(**kwargs)
    response = excinfo.value.response
    assert response["Error"]["Code"] == "AccessDenied"
    assert response["Error"]["Message"] == (
        # The hub's keys stand for a session of rolecall's principal role.
        "User: arn:aws:sts::123456789012:assumed-role/rolecall/rolecall is not authorized "
        f"to perform: sts:AssumeRole on resource: {role_arn}"
    )
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert response["ResponseMetadata"]["RequestId"]


def test_member_account_cannot_assume_into_another(aws):
    sts = aws.client("sts", account=PROD)
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role(
            RoleArn=AUDIT.format(STAGING), RoleSessionName="rolecall", ExternalId="rolecall-demo"
        )
    assert excinfo.value.response["Error"]["Code"] == "AccessDenied"


def test_identity_and_aliases_per_account(aws):
    expected = {HUB: "security-hub", PROD: "acme-prod", STAGING: "acme-staging"}
    for account, alias in expected.items():
        identity = aws.client("sts", account=account).get_caller_identity()
        assert identity["Account"] == account
        aliases = aws.client("iam", account=account).list_account_aliases()["AccountAliases"]
        assert aliases == [alias]
    assert aws.client("sts", account=PROD).get_caller_identity()["Arn"] == (
        "arn:aws:sts::111111111111:assumed-role/RolecallAudit/rolecall"
    )


def test_assumed_credentials_see_that_accounts_state(aws):
    counts = {}
    for account in (HUB, PROD, STAGING):
        iam = aws.client("iam", account=account)
        counts[account] = len(iam.list_roles(PathPrefix="/aws-service-role/")["Roles"])
    # emulator/scenarios/demo.py ROLES: prod and staging each have the EKS role too.
    assert counts == {HUB: 9, PROD: 14, STAGING: 10}
    prod_ecs = aws.client("ecs", region="eu-west-1", account=PROD)
    staging_ecs = aws.client("ecs", region="eu-west-1", account=STAGING)
    assert len(prod_ecs.list_clusters()["clusterArns"]) == 2
    assert staging_ecs.list_clusters()["clusterArns"] == []


def test_any_credentials_are_the_hub(emulator, control):
    sts = boto3.client(
        "sts",
        endpoint_url=emulator.url,
        region_name="eu-west-1",
        aws_access_key_id="AKIAANYTHING",
        aws_secret_access_key="whatever",
    )
    assert sts.get_caller_identity()["Account"] == HUB


def test_describe_regions(aws):
    regions = aws.client("ec2", region="us-east-1", account=PROD).describe_regions()["Regions"]
    names = {r["RegionName"] for r in regions}
    # The aws partition's Regions prod has: the default ones and the opt-in one it enabled
    # (tests/emulator/test_regions.py has the rest).
    session = boto3.session.Session()
    assert names < set(session.get_available_regions("ec2", "aws"))
    assert len(names) == 18
    assert {r["RegionName"] for r in regions if r["OptInStatus"] == "opted-in"} == {"eu-central-2"}


def test_credentials_from_before_a_reset_are_refused(aws, control):
    iam = aws.client("iam", account=PROD)
    ecs = aws.client("ecs", account=PROD)
    assert iam.list_account_aliases()["AccountAliases"] == ["acme-prod"]
    control.reset("demo")
    with pytest.raises(ClientError) as excinfo:
        iam.list_account_aliases()
    assert excinfo.value.response["Error"]["Code"] == "InvalidClientTokenId"
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    with pytest.raises(ClientError) as excinfo:
        ecs.list_clusters()
    assert excinfo.value.response["Error"]["Code"] == "UnrecognizedClientException"
    aws.forget()
    assert aws.client("iam", account=PROD).list_account_aliases()["AccountAliases"] == ["acme-prod"]

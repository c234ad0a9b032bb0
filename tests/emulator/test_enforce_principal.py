"""rolecall's own principal under IAM enforcement: deploy/aws/rolecall-principal.yaml is
what lets it assume the member roles, and nothing else does (through boto3 over HTTP)."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.exceptions import ClientError

from emulator import member_roles
from tests.emulator.conftest import EXTERNAL_ID, HUB, NO_RETRY, PROD, SANDBOX, STAGING

MEMBERS = (PROD, STAGING, SANDBOX)
PRINCIPAL_SESSION = f"arn:aws:sts::{HUB}:assumed-role/rolecall/rolecall"
NAMED = {"SourceIdentity": "alice", "Tags": [{"Key": "rolecall-requester", "Value": "alice"}]}


def read_role(account: str) -> str:
    return f"arn:aws:iam::{account}:role/RolecallAudit"


def change_role(account: str) -> str:
    return f"arn:aws:iam::{account}:role/RolecallChange"


def assume_read(sts, account: str):
    return sts.assume_role(
        RoleArn=read_role(account), RoleSessionName="rolecall", ExternalId=EXTERNAL_ID
    )


def assume_change(sts, account: str, **named):
    return sts.assume_role(
        RoleArn=change_role(account),
        RoleSessionName="rolecall",
        ExternalId=EXTERNAL_ID,
        **(named or NAMED),
    )


def refusal(attempt) -> dict:
    with pytest.raises(ClientError) as raised:
        attempt()
    response = raised.value.response
    assert (response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]) == (
        "AccessDenied",
        403,
    )
    return response["Error"]


def principal_policy_arn(iam) -> str:
    (attached,) = iam.list_attached_role_policies(RoleName="rolecall")["AttachedPolicies"]
    return attached["PolicyArn"]


@pytest.fixture
def enforced(aws, control):
    control.enforce_iam(True)
    return aws


def test_the_member_roles_trust_the_principal_the_template_accepts():
    (statement,) = member_roles.role("ReadRole", PROD).trust["Statement"]
    assert statement["Principal"] == {"AWS": f"arn:aws:iam::{HUB}:role/rolecall"}
    # The account's root is no value RolecallPrincipalArn's AllowedPattern accepts.
    with pytest.raises(member_roles.TemplateError, match="RolecallPrincipalArn"):
        member_roles.roles(PROD, principal=f"arn:aws:iam::{HUB}:root")


def test_the_hub_keys_are_a_session_of_the_principal_holding_the_templates_policy(enforced):
    assert enforced.client("sts").get_caller_identity()["Arn"] == PRINCIPAL_SESSION
    iam = enforced.client("iam")
    policy = iam.get_policy(PolicyArn=principal_policy_arn(iam))["Policy"]
    version = iam.get_policy_version(PolicyArn=policy["Arn"], VersionId=policy["DefaultVersionId"])[
        "PolicyVersion"
    ]
    organization_id = enforced.client("organizations").describe_organization()["Organization"]
    ((_, document, attached_to),) = member_roles.principal_policies(organization_id["Id"])
    assert (version["Document"], attached_to) == (document, ["rolecall"])


def test_the_principal_assumes_every_member_role_naming_the_person(enforced):
    sts = enforced.client("sts")
    for account in (HUB, *MEMBERS):
        assert assume_read(sts, account)["Credentials"]
        session = assume_change(sts, account)["AssumedRoleUser"]["Arn"]
        assert session == f"arn:aws:sts::{account}:assumed-role/RolecallChange/rolecall"
    organizations = f"arn:aws:iam::{HUB}:role/RolecallOrganizations"
    assert sts.assume_role(
        RoleArn=organizations, RoleSessionName="rolecall", ExternalId=EXTERNAL_ID
    )["Credentials"]


def test_without_the_policy_the_principal_is_refused_every_member_role(enforced):
    iam, sts = enforced.client("iam"), enforced.client("sts")
    iam.detach_role_policy(RoleName="rolecall", PolicyArn=principal_policy_arn(iam))
    for account in MEMBERS:
        error = refusal(lambda account=account: assume_read(sts, account))
        assert error["Message"] == (
            f"User: {PRINCIPAL_SESSION} is not authorized to perform: sts:AssumeRole on "
            f"resource: {read_role(account)} because no identity-based policy allows the "
            "sts:AssumeRole action"
        )
        refusal(lambda account=account: assume_change(sts, account))
    # In its own account a trust policy naming the principal is enough: an implicit
    # deny in its identity policies does not limit it (IAM User Guide, "Policy
    # evaluation logic", resource-based policies within the same account).
    assert assume_read(sts, HUB)["Credentials"]


def test_a_policy_without_set_source_identity_cannot_name_the_person(enforced):
    iam, sts = enforced.client("iam"), enforced.client("sts")
    arn = principal_policy_arn(iam)
    policy = iam.get_policy(PolicyArn=arn)["Policy"]
    document = iam.get_policy_version(PolicyArn=arn, VersionId=policy["DefaultVersionId"])[
        "PolicyVersion"
    ]["Document"]
    for statement in document["Statement"]:
        actions = member_roles.as_actions(statement)
        statement["Action"] = [a for a in actions if a != "sts:SetSourceIdentity"]
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(document), SetAsDefault=True)
    for account in MEMBERS:
        error = refusal(lambda account=account: assume_change(sts, account))
        assert error["Message"] == (
            f"User: {PRINCIPAL_SESSION} is not authorized to perform: sts:SetSourceIdentity "
            f"on resource: {change_role(account)} because no identity-based policy allows the "
            "sts:SetSourceIdentity action"
        )
        assert assume_read(sts, account)["Credentials"]


def test_an_explicit_deny_refuses_even_in_the_principals_own_account(enforced):
    iam, sts = enforced.client("iam"), enforced.client("sts")
    deny = {
        "Effect": "Deny",
        "Action": "sts:AssumeRole",
        "Resource": f"arn:aws:iam::{HUB}:role/*",
    }
    iam.put_role_policy(
        RoleName="rolecall",
        PolicyName="not-the-hub",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [deny]}),
    )
    error = refusal(lambda: assume_read(sts, HUB))
    assert error["Message"].endswith("with an explicit deny in an identity-based policy")
    assert assume_read(sts, PROD)["Credentials"]  # the Deny names the hub's roles only


def test_a_hub_user_without_a_policy_is_refused_every_member_role(enforced):
    iam = enforced.client("iam")
    iam.create_user(UserName="mallory")
    key = iam.create_access_key(UserName="mallory")["AccessKey"]
    sts = boto3.client(
        "sts",
        endpoint_url=enforced.url,
        region_name="us-east-1",
        config=NO_RETRY,
        aws_access_key_id=key["AccessKeyId"],
        aws_secret_access_key=key["SecretAccessKey"],
    )
    assert sts.get_caller_identity()["Arn"] == f"arn:aws:iam::{HUB}:user/mallory"
    for account in (HUB, *MEMBERS):
        refusal(lambda account=account: assume_read(sts, account))
        refusal(lambda account=account: assume_change(sts, account, SourceIdentity="bob"))


def test_identity_policies_are_judged_only_with_enforcement_on(aws, control):
    iam, sts = aws.client("iam"), aws.client("sts")
    iam.detach_role_policy(RoleName="rolecall", PolicyArn=principal_policy_arn(iam))
    assert assume_read(sts, PROD)["Credentials"]
    control.enforce_iam(True)
    refusal(lambda: assume_read(sts, PROD))


@pytest.mark.parametrize(
    "value, accepted",
    [("abc", True), ("abc!", False), ("!abc", False), ("a", False), ("abcdefg", False)],
)
def test_a_parameter_must_match_its_pattern_whole_and_its_lengths(value, accepted):
    # "the pattern must match the entire parameter value provided" (CloudFormation).
    spec = {"Parameters": {"Name": {"AllowedPattern": "[a-z]+", "MinLength": 2, "MaxLength": 6}}}
    if accepted:
        member_roles.check({"Name": value}, spec)
    else:
        with pytest.raises(member_roles.TemplateError, match="Name"):
            member_roles.check({"Name": value}, spec)


def test_a_role_session_is_judged_on_the_arn_of_the_role_it_assumes(enforced):
    iam = enforced.client("iam")
    trusts_the_hub = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{HUB}:root"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    for name in ("Target", "Other"):
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trusts_the_hub))
    trusts_rolecall = json.loads(json.dumps(trusts_the_hub))
    trusts_rolecall["Statement"][0]["Principal"] = {"AWS": member_roles.PRINCIPAL}
    iam.create_role(RoleName="Caller", AssumeRolePolicyDocument=json.dumps(trusts_rolecall))
    target = f"arn:aws:iam::{HUB}:role/Target"
    allow = {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": target}
    iam.put_role_policy(
        RoleName="Caller",
        PolicyName="target-only",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [allow]}),
    )
    creds = enforced.client("sts").assume_role(
        RoleArn=f"arn:aws:iam::{HUB}:role/Caller", RoleSessionName="chain"
    )["Credentials"]
    sts = boto3.client(
        "sts",
        endpoint_url=enforced.url,
        region_name="us-east-1",
        config=NO_RETRY,
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )
    assert sts.assume_role(RoleArn=target, RoleSessionName="next")["Credentials"]
    # The trust names only the account, so the identity policy must allow this role too.
    error = refusal(
        lambda: sts.assume_role(RoleArn=f"arn:aws:iam::{HUB}:role/Other", RoleSessionName="no")
    )
    assert error["Message"] == (
        f"User: arn:aws:sts::{HUB}:assumed-role/Caller/chain is not authorized to perform: "
        f"sts:AssumeRole on resource: arn:aws:iam::{HUB}:role/Other because no "
        "identity-based policy allows the sts:AssumeRole action"
    )

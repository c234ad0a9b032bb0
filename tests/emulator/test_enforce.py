"""The change role's trust, IAM enforcement and the trail, through boto3 over HTTP."""

from __future__ import annotations

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from emulator.policy_eval import ALLOW, DENY, IMPLICIT, Unmodelled, conditions_hold, decide

EXTERNAL_ID, PROD = "rolecall-demo", "111111111111"
NO_RETRY = Config(retries={"mode": "standard", "total_max_attempts": 1})

CHANGE = f"arn:aws:iam::{PROD}:role/RolecallChange"
TAGS = [{"Key": "rolecall-requester", "Value": "alice"}]


def assume(aws, **kwargs):
    return aws.client("sts").assume_role(
        RoleArn=CHANGE, RoleSessionName="rolecall-test", ExternalId=EXTERNAL_ID, **kwargs
    )


def session_client(aws, answer, service="iam", region="us-east-1"):
    creds = answer["Credentials"]
    return boto3.client(
        service,
        endpoint_url=aws.url,
        region_name=region,
        config=NO_RETRY,
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )


@pytest.mark.parametrize(
    "kwargs, code",
    [
        ({}, "AccessDenied"),  # no source identity: the trust policy requires one
        ({"SourceIdentity": "alice", "Tags": [{"Key": "team", "Value": "x"}]}, "AccessDenied"),
        ({"SourceIdentity": "alice", "DurationSeconds": 3601}, "ValidationError"),
        ({"SourceIdentity": "aws:alice"}, "ValidationError"),
    ],
)
def test_the_change_role_refuses_an_unnamed_or_overlong_session(aws, kwargs, code):
    with pytest.raises(ClientError) as raised:
        assume(aws, **kwargs)
    assert raised.value.response["Error"]["Code"] == code


def test_a_trust_policy_without_set_source_identity_refuses_one(aws, control):
    # The read role's trust allows sts:AssumeRole only.
    with pytest.raises(ClientError) as raised:
        aws.client("sts").assume_role(
            RoleArn=f"arn:aws:iam::{PROD}:role/RolecallAudit",
            RoleSessionName="rolecall",
            ExternalId=EXTERNAL_ID,
            SourceIdentity="alice",
        )
    assert raised.value.response["Error"]["Code"] == "AccessDenied"


def test_the_trail_records_source_identity_and_tags_of_every_call(aws, control):
    answer = assume(aws, SourceIdentity="alice", Tags=TAGS, DurationSeconds=900)
    session = session_client(aws, answer)
    session.update_role_description(RoleName="AWSServiceRoleForECS", Description="kept")
    (call,) = control.trail(operation="iam:UpdateRoleDescription")
    assert call["caller"] == f"arn:aws:sts::{PROD}:assumed-role/RolecallChange/rolecall-test"
    assert (call["source_identity"], call["session_tags"]) == (
        "alice",
        {"rolecall-requester": "alice"},
    )
    assert (call["account"], call["params"], call["error"]) == (
        PROD,
        {"RoleName": "AWSServiceRoleForECS"},
        "",
    )
    assert control.trail(source_identity="bob") == []
    control.clear_trail()
    assert control.trail() == []


def test_enforcement_is_off_until_asked_and_a_reset_turns_it_back(aws, control):
    session = session_client(aws, assume(aws, SourceIdentity="alice"))
    session.list_roles()  # the change role may not read, but nothing is enforced yet
    control.enforce_iam(True)
    with pytest.raises(ClientError) as raised:
        session.list_roles()
    error = raised.value.response["Error"]
    assert error["Code"] == "AccessDenied"
    assert error["Message"] == (
        f"User: arn:aws:sts::{PROD}:assumed-role/RolecallChange/rolecall-test is not "
        "authorized to perform: iam:ListRoles on resource: * because no identity-based "
        "policy allows the iam:ListRoles action"
    )
    assert control.trail(operation="iam:ListRoles")[-1]["error"] == "AccessDenied"
    aws.client("iam").list_roles()  # the hub's own keys are never judged
    control.reset("demo")
    assert emulator_enforcing(control) is False


def emulator_enforcing(control) -> bool:
    return control._call("GET", "enforce")["enabled"]


def test_the_control_endpoint_refuses_a_bad_enforce_body(control):
    from emulator.testing import EmulatorError

    with pytest.raises(EmulatorError, match="enabled"):
        control._call("POST", "enforce", {"enabled": "yes"})


# --- policy evaluation ---------------------------------------------------------------


POLICY = {
    "Statement": [
        {"Effect": "Allow", "Action": "ecs:Describe*", "Resource": "arn:aws:ecs:*:1:cluster/*"},
        {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "ecs:DeleteCluster", "Resource": "*"},
    ]
}


@pytest.mark.parametrize(
    "action, resource, verdict",
    [
        ("ecs:describeclusters", "arn:aws:ecs:eu-west-1:1:cluster/a", ALLOW),  # any case
        ("ecs:DeleteCluster", "arn:aws:ecs:eu-west-1:1:cluster/a", DENY),  # deny wins
        ("iam:GetRole", "arn:aws:iam::1:role/x", IMPLICIT),  # NotAction leaves it out
        ("s3:ListBucket", "*", ALLOW),
    ],
)
def test_policy_evaluation(action, resource, verdict):
    assert decide([POLICY], action, resource, {}) == verdict


def test_resources_match_with_their_case():
    statement = {"Effect": "Allow", "Action": "*", "Resource": "arn:aws:iam::1:role/Admin"}
    assert (
        decide([{"Statement": [statement]}], "iam:GetRole", "arn:aws:iam::1:role/admin", {})
        == IMPLICIT
    )


@pytest.mark.parametrize(
    "condition, context, holds",
    [
        ({"Null": {"sts:SourceIdentity": "false"}}, {"sts:SourceIdentity": "alice"}, True),
        ({"Null": {"sts:SourceIdentity": "false"}}, {}, False),
        ({"StringEquals": {"sts:ExternalId": "x"}}, {"sts:externalid": "x"}, True),
        (
            {"StringLike": {"iam:AWSServiceName": "*.amazonaws.com"}},
            {"iam:AWSServiceName": "a.amazonaws.com"},
            True,
        ),
        ({"ForAllValues:StringEquals": {"aws:TagKeys": ["a", "b"]}}, {"aws:TagKeys": ["a"]}, True),
        ({"ForAllValues:StringEquals": {"aws:TagKeys": ["a"]}}, {"aws:TagKeys": ["a", "c"]}, False),
        ({"StringEqualsIfExists": {"aws:SourceIdentity": "x"}}, {}, True),
    ],
)
def test_conditions(condition, context, holds):
    assert conditions_hold(condition, context) is holds


def test_an_unmodelled_operator_is_not_guessed():
    with pytest.raises(Unmodelled):
        conditions_hold({"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}, {})


def test_a_deny_with_an_unmodelled_condition_still_denies():
    policy = {
        "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {
                "Effect": "Deny",
                "Action": "iam:*",
                "Resource": "*",
                "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
            },
            {
                "Effect": "Allow",
                "Action": "ecs:*",
                "Resource": "*",
                "Condition": {"DateLessThan": {"aws:CurrentTime": "2100-01-01"}},
            },
        ]
    }
    assert decide([policy], "iam:GetRole", "arn:aws:iam::1:role/x", {}) == DENY
    only_dated = {"Statement": policy["Statement"][2:]}
    assert decide([only_dated], "ecs:ListClusters", "*", {}) == IMPLICIT


def test_a_wildcard_stays_within_its_arn_segment():
    statement = {"Effect": "Allow", "Action": "*", "Resource": "arn:aws:ecs:*:1:cluster/*"}
    policy = {"Statement": [statement]}
    assert decide([policy], "ecs:DeleteCluster", "arn:aws:ecs:eu-west-1:1:cluster/a", {}) == ALLOW
    # "*" for the region must not swallow "eu-west-1:2" to reach another account.
    other = "arn:aws:ecs:eu-west-1:2:cluster/a:1:cluster/b"
    assert decide([policy], "ecs:DeleteCluster", other, {}) == IMPLICIT


# "Each of the six colon-delimited components of the ARN is checked separately"
# (IAM User Guide, "IAM JSON policy elements: Condition operators", ARN operators).
ROLE = "arn:aws:iam::123456789012:role/Admin"


def deny_on(resource: str) -> dict:
    return {
        "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "Action": "iam:*", "Resource": resource},
        ]
    }


@pytest.mark.parametrize(
    "resource, verdict",
    [
        ("arn:aws:iam::123456789012:role/*", DENY),
        ("arn:aws:iam::*:role/Adm?n", DENY),
        ("arn:aws:iam::*", ALLOW),  # "*" fills the account segment, not what follows it
        ("arn:aws:iam::1234*", ALLOW),
        ("arn:aws:*", ALLOW),
    ],
)
def test_a_deny_reaches_only_what_its_segments_match(resource, verdict):
    assert decide([deny_on(resource)], "iam:DeleteRole", ROLE, {}) == verdict


SOURCE = "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt"


@pytest.mark.parametrize(
    "condition, context, holds",
    [
        # AWS's own example: StringLike crosses the colons, ArnLike does not.
        (
            {"StringLike": {"aws:SourceArn": "arn:aws:someservice:*:111122223333:finance/*"}},
            {"aws:SourceArn": SOURCE},
            True,
        ),
        (
            {"ArnLike": {"aws:SourceArn": "arn:aws:someservice:*:111122223333:finance/*"}},
            {"aws:SourceArn": SOURCE},
            False,
        ),
        (
            {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/Rolecall*"}},
            {"aws:PrincipalArn": "arn:aws:iam::1:role/RolecallAudit"},
            True,
        ),
        (
            {"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::*:role/Rolecall*"}},
            {"aws:PrincipalArn": "arn:aws:iam::1:role/RolecallAudit"},
            True,
        ),  # "identically"
        ({"ArnEquals": {"aws:PrincipalArn": ROLE}}, {"aws:PrincipalArn": ROLE.lower()}, False),
        ({"ArnLike": {"aws:SourceArn": "arn:*"}}, {}, False),
        (
            {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/Admin"}},
            {"aws:PrincipalArn": ROLE},
            False,
        ),
        (
            {"ArnNotEquals": {"aws:PrincipalArn": "arn:aws:iam::*:role/Other"}},
            {"aws:PrincipalArn": ROLE},
            True,
        ),
        ({"ArnNotLike": {"aws:SourceArn": "arn:*"}}, {}, True),  # an absent key: "true"
        ({"ArnLikeIfExists": {"aws:SourceArn": "arn:aws:sns:*:1:t"}}, {}, True),
        (
            {"ForAnyValue:ArnLike": {"aws:SourceArn": "arn:aws:sns:*:1:*"}},
            {"aws:SourceArn": ["arn:aws:sqs:r:1:q", "arn:aws:sns:r:1:t"]},
            True,
        ),
    ],
)
def test_arn_conditions(condition, context, holds):
    assert conditions_hold(condition, context) is holds


def test_a_deny_on_a_principal_arn_denies_only_the_principals_it_names():
    policy = deny_on("*")
    policy["Statement"][1]["Condition"] = {
        "ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/Intruder*"}
    }
    context = {"aws:PrincipalArn": "arn:aws:iam::1:role/RolecallAudit"}
    assert decide([policy], "iam:GetRole", ROLE, context) == ALLOW
    context = {"aws:PrincipalArn": "arn:aws:iam::1:role/Intruder-1"}
    assert decide([policy], "iam:GetRole", ROLE, context) == DENY


def trust(*statements) -> str:
    import json

    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def test_trust_names_a_role_for_its_sessions_and_a_deny_wins(aws, control):
    hub_iam, sts = aws.client("iam"), aws.client("sts")
    root = {"AWS": "arn:aws:iam::123456789012:root"}
    hub_iam.create_role(
        RoleName="Caller",
        AssumeRolePolicyDocument=trust(
            {"Effect": "Allow", "Principal": root, "Action": "sts:AssumeRole"}
        ),
    )
    caller = {"AWS": "arn:aws:iam::123456789012:role/Caller"}
    hub_iam.create_role(
        RoleName="Target",
        AssumeRolePolicyDocument=trust(
            {"Effect": "Allow", "Principal": caller, "Action": "sts:Assume*"},
            {
                "Effect": "Deny",
                "Principal": caller,
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"sts:ExternalId": "blocked"}},
            },
        ),
    )
    session = sts.assume_role(
        RoleArn="arn:aws:iam::123456789012:role/Caller", RoleSessionName="worker"
    )
    from_caller = session_client(aws, session, "sts")
    target = "arn:aws:iam::123456789012:role/Target"
    assert from_caller.assume_role(RoleArn=target, RoleSessionName="ok")["Credentials"]
    with pytest.raises(ClientError) as raised:
        from_caller.assume_role(RoleArn=target, RoleSessionName="no", ExternalId="blocked")
    assert raised.value.response["Error"]["Code"] == "AccessDenied"
    with pytest.raises(ClientError):  # the hub's own keys are not the Caller role
        sts.assume_role(RoleArn=target, RoleSessionName="hub")

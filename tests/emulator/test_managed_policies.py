"""AWS managed policies: ListPolicies as the sync reads it, and a new version AWS publishes
(`POST /_emulator/managed-policy-version`) seen by every account at once."""

from __future__ import annotations

import pytest

from emulator.testing import EmulatorError
from tests.emulator.conftest import HUB, PROD, SANDBOX, STAGING

ECS_POLICY = "AmazonECSServiceRolePolicy"
ECS_ARN = f"arn:aws:iam::aws:policy/aws-service-role/{ECS_POLICY}"
DOCUMENT = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "ecs:ListClusters", "Resource": "*"}],
}


def attached_aws_policies(iam, **kwargs) -> dict[str, str]:
    page = iam.list_policies(Scope="AWS", OnlyAttached=True, MaxItems=1000, **kwargs)
    assert not page["IsTruncated"]
    return {p["Arn"]: p["DefaultVersionId"] for p in page["Policies"]}


def test_list_policies_gives_each_attached_aws_policys_default_version(aws):
    iam = aws.client("iam", account=PROD)
    listed = attached_aws_policies(iam)
    roles = iam.list_roles(PathPrefix="/aws-service-role/")["Roles"]
    attached = {
        p["PolicyArn"]
        for role in roles
        for p in iam.list_attached_role_policies(RoleName=role["RoleName"])["AttachedPolicies"]
    }
    assert set(listed) == attached and len(attached) == 13  # 14 roles, two on Auto Scaling's
    assert set(listed.values()) == {"v1"}
    assert iam.list_policies(Scope="Local", OnlyAttached=True)["Policies"] == []


def test_a_published_version_is_the_default_in_every_account(aws, control):
    answer = control.publish_policy_version(ECS_POLICY, DOCUMENT)
    # prod, staging and sandbox (emulator/scenarios/demo.py) have the ECS role
    assert answer == {"arn": ECS_ARN, "version_id": "v2", "accounts": 3}
    for account in (PROD, STAGING, SANDBOX):
        iam = aws.client("iam", account=account)
        assert attached_aws_policies(iam)[ECS_ARN] == "v2"
        assert iam.get_policy(PolicyArn=ECS_ARN)["Policy"]["DefaultVersionId"] == "v2"
        version = iam.get_policy_version(PolicyArn=ECS_ARN, VersionId="v2")["PolicyVersion"]
        assert version["Document"] == DOCUMENT and version["IsDefaultVersion"]
        old = iam.get_policy_version(PolicyArn=ECS_ARN, VersionId="v1")["PolicyVersion"]
        assert not old["IsDefaultVersion"] and old["Document"] != DOCUMENT
    assert control.publish_policy_version(ECS_POLICY, DOCUMENT)["version_id"] == "v3"


def test_an_account_that_gets_the_policy_later_gets_the_published_versions(aws, control):
    control.publish_policy_version(ECS_POLICY, DOCUMENT)
    iam = aws.client("iam", account=HUB)  # the hub has no ECS role in the demo
    iam.create_service_linked_role(AWSServiceName="ecs.amazonaws.com")
    assert iam.get_policy(PolicyArn=ECS_ARN)["Policy"]["DefaultVersionId"] == "v2"
    version = iam.get_policy_version(PolicyArn=ECS_ARN, VersionId="v2")["PolicyVersion"]
    assert version["Document"] == DOCUMENT


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"document": DOCUMENT}, "HTTP 400"),
        ({"policy_name": ECS_POLICY, "document": "{}"}, "HTTP 400"),
        ({"policy_name": "NoSuchPolicy", "document": DOCUMENT}, "HTTP 404"),
    ],
)
def test_a_bad_publish_is_refused(control, body, status):
    with pytest.raises(EmulatorError, match=status):
        control._call("POST", "managed-policy-version", body)

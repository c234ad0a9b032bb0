"""CreateServiceLinkedRole: AWS names, path, trust policy, managed policy; SLR protections."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

NAMES = {
    "ecs.amazonaws.com": "AWSServiceRoleForECS",
    "elasticloadbalancing.amazonaws.com": "AWSServiceRoleForElasticLoadBalancing",
    "autoscaling.amazonaws.com": "AWSServiceRoleForAutoScaling",
    "rds.amazonaws.com": "AWSServiceRoleForRDS",
    "organizations.amazonaws.com": "AWSServiceRoleForOrganizations",
    "trustedadvisor.amazonaws.com": "AWSServiceRoleForTrustedAdvisor",
    "support.amazonaws.com": "AWSServiceRoleForSupport",
    "config.amazonaws.com": "AWSServiceRoleForConfig",
    "guardduty.amazonaws.com": "AWSServiceRoleForAmazonGuardDuty",
    "securityhub.amazonaws.com": "AWSServiceRoleForSecurityHub",
    "sso.amazonaws.com": "AWSServiceRoleForSSO",
    "spot.amazonaws.com": "AWSServiceRoleForEC2Spot",
    "elasticache.amazonaws.com": "AWSServiceRoleForElastiCache",
    "cloudtrail.amazonaws.com": "AWSServiceRoleForCloudTrail",
}

ECS_STATEMENTS = [
    "ECSTaskManagement",
    "AutoScaling",
    "AutoScalingManagement",
    "AutoScalingPlanManagement",
    "CWAlarmManagement",
    "ECSTagging",
    "CWLogGroupManagement",
    "CWLogStreamManagement",
]


@pytest.fixture
def iam(aws, emulator):
    emulator.control.reset("empty")
    return aws.client("iam")


@pytest.mark.parametrize("principal", sorted(NAMES))
def test_role_named_and_shaped_as_aws_does(iam, principal):
    role = iam.create_service_linked_role(AWSServiceName=principal)["Role"]
    name = NAMES[principal]
    assert role["RoleName"] == name
    assert role["Path"] == f"/aws-service-role/{principal}/"
    assert role["Arn"] == f"arn:aws:iam::123456789012:role/aws-service-role/{principal}/{name}"
    trust = iam.get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"]
    statement = trust["Statement"][0]
    assert statement["Principal"] == {"Service": principal}
    assert statement["Action"] == "sts:AssumeRole"
    attached = iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]
    assert len(attached) == 1
    assert attached[0]["PolicyArn"].startswith("arn:aws:iam::aws:policy/aws-service-role/")


def test_ecs_role_gets_the_full_managed_policy(iam):
    iam.create_service_linked_role(AWSServiceName="ecs.amazonaws.com")
    attached = iam.list_attached_role_policies(RoleName="AWSServiceRoleForECS")
    arn = "arn:aws:iam::aws:policy/aws-service-role/AmazonECSServiceRolePolicy"
    assert attached["AttachedPolicies"] == [
        {"PolicyName": "AmazonECSServiceRolePolicy", "PolicyArn": arn}
    ]
    policy = iam.get_policy(PolicyArn=arn)["Policy"]
    assert policy["Path"] == "/aws-service-role/"
    assert policy["AttachmentCount"] == 1
    version = iam.get_policy_version(PolicyArn=arn, VersionId=policy["DefaultVersionId"])
    document = version["PolicyVersion"]["Document"]
    assert [s["Sid"] for s in document["Statement"]] == ECS_STATEMENTS
    task_management = document["Statement"][0]["Action"]
    assert "ec2:CreateNetworkInterface" in task_management
    assert "servicediscovery:UpdateInstanceCustomHealthStatus" in task_management


def test_second_create_for_same_service_is_invalid_input(iam):
    iam.create_service_linked_role(AWSServiceName="ecs.amazonaws.com")
    with pytest.raises(ClientError) as excinfo:
        iam.create_service_linked_role(AWSServiceName="ecs.amazonaws.com")
    error = excinfo.value.response["Error"]
    assert error["Code"] == "InvalidInput"
    assert error["Message"] == (
        "Service role name AWSServiceRoleForECS has been taken in this account, please try again."
    )
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_custom_suffix_only_where_the_service_allows_it(iam):
    role = iam.create_service_linked_role(
        AWSServiceName="autoscaling.amazonaws.com", CustomSuffix="batch"
    )["Role"]
    assert role["RoleName"] == "AWSServiceRoleForAutoScaling_batch"
    with pytest.raises(ClientError) as excinfo:
        iam.create_service_linked_role(AWSServiceName="ecs.amazonaws.com", CustomSuffix="x")
    assert excinfo.value.response["Error"]["Code"] == "InvalidInput"


def test_description_defaults_and_can_be_updated(iam):
    role = iam.create_service_linked_role(AWSServiceName="ecs.amazonaws.com")["Role"]
    assert role["Description"] == "Role to enable Amazon ECS to manage your cluster."
    updated = iam.update_role_description(
        RoleName="AWSServiceRoleForECS", Description="Owned by the platform team"
    )["Role"]
    assert updated["Description"] == "Owned by the platform team"
    got = iam.get_role(RoleName="AWSServiceRoleForECS")["Role"]
    assert got["Description"] == "Owned by the platform team"


def test_slr_cannot_be_deleted_or_repoliced_directly(iam):
    iam.create_service_linked_role(AWSServiceName="ecs.amazonaws.com")
    for call in (
        lambda: iam.delete_role(RoleName="AWSServiceRoleForECS"),
        lambda: iam.attach_role_policy(
            RoleName="AWSServiceRoleForECS",
            PolicyArn="arn:aws:iam::aws:policy/aws-service-role/AmazonECSServiceRolePolicy",
        ),
        lambda: iam.detach_role_policy(
            RoleName="AWSServiceRoleForECS",
            PolicyArn="arn:aws:iam::aws:policy/aws-service-role/AmazonECSServiceRolePolicy",
        ),
    ):
        with pytest.raises(ClientError) as excinfo:
            call()
        assert excinfo.value.response["Error"]["Code"] == "UnmodifiableEntity"
        assert "protected role 'AWSServiceRoleForECS'" in excinfo.value.response["Error"]["Message"]
    assert iam.get_role(RoleName="AWSServiceRoleForECS")["Role"]["RoleName"]


def test_role_tags_are_listed(aws):
    iam = aws.client("iam", account="111111111111")
    tags = iam.list_role_tags(RoleName="AWSServiceRoleForECS")
    assert tags["Tags"] == [{"Key": "owner", "Value": "platform-team"}]
    assert tags["IsTruncated"] is False

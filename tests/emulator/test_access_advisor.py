"""Access Advisor: GenerateServiceLastAccessedDetails / GetServiceLastAccessedDetails."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

PROD = "111111111111"
ECS_NAMESPACES = [
    "autoscaling",
    "autoscaling-plans",
    "cloudwatch",
    "ec2",
    "elasticloadbalancing",
    "logs",
    "route53",
    "servicediscovery",
]


def run_job(iam, arn: str, granularity: str = "SERVICE_LEVEL", max_items: int = 100):
    job_id = iam.generate_service_last_accessed_details(Arn=arn, Granularity=granularity)["JobId"]
    first = iam.get_service_last_accessed_details(JobId=job_id)
    assert first["JobStatus"] == "IN_PROGRESS"
    entries, marker = [], None
    while True:
        kwargs = {"JobId": job_id, "MaxItems": max_items}
        if marker:
            kwargs["Marker"] = marker
        page = iam.get_service_last_accessed_details(**kwargs)
        assert page["JobStatus"] == "COMPLETED"
        assert page["JobType"] == granularity
        assert page["JobCompletionDate"] >= page["JobCreationDate"]
        entries += page["ServicesLastAccessed"]
        if not page["IsTruncated"]:
            return entries
        marker = page["Marker"]


def test_service_level_report_for_ecs_role(aws):
    iam = aws.client("iam", account=PROD)
    role = iam.get_role(RoleName="AWSServiceRoleForECS")["Role"]
    entries = run_job(iam, role["Arn"])
    assert [e["ServiceNamespace"] for e in entries] == ECS_NAMESPACES
    by_namespace = {e["ServiceNamespace"]: e for e in entries}
    assert by_namespace["ec2"]["ServiceName"] == "Amazon EC2"
    used = [e for e in entries if "LastAuthenticated" in e]
    assert used, "the role was used yesterday"
    # The latest service use is the role's last use.
    assert max(e["LastAuthenticated"] for e in used) == role["RoleLastUsed"]["LastUsedDate"]
    for entry in used:
        assert entry["LastAuthenticatedEntity"] == role["Arn"]
        assert entry["LastAuthenticatedRegion"] == "eu-west-1"
        assert entry["TotalAuthenticatedEntities"] == 1
    assert all("TrackedActionsLastAccessed" not in e for e in entries)


def test_unused_role_reports_services_never_authenticated(aws):
    iam = aws.client("iam", account=PROD)
    arn = iam.get_role(RoleName="AWSServiceRoleForEC2Spot")["Role"]["Arn"]
    entries = run_job(iam, arn)
    assert [e["ServiceNamespace"] for e in entries] == ["ec2"]
    assert "LastAuthenticated" not in entries[0]
    assert entries[0]["TotalAuthenticatedEntities"] == 0


def test_pagination_with_marker(aws):
    iam = aws.client("iam", account=PROD)
    arn = iam.get_role(RoleName="AWSServiceRoleForECS")["Role"]["Arn"]
    assert [e["ServiceNamespace"] for e in run_job(iam, arn, max_items=3)] == ECS_NAMESPACES


def test_action_level_tracks_actions_for_tracked_services_only(aws):
    iam = aws.client("iam", account=PROD)
    arn = iam.get_role(RoleName="AWSServiceRoleForECS")["Role"]["Arn"]
    entries = {e["ServiceNamespace"]: e for e in run_job(iam, arn, "ACTION_LEVEL")}
    assert set(entries) == set(ECS_NAMESPACES)
    actions = entries["ec2"]["TrackedActionsLastAccessed"]
    names = [a["ActionName"] for a in actions]
    assert "CreateNetworkInterface" in names and "CreateTags" in names
    assert all("*" not in name for name in names)
    for namespace, entry in entries.items():
        if namespace != "ec2":
            assert "TrackedActionsLastAccessed" not in entry
    accessed = [a for a in actions if "LastAccessedTime" in a]
    if "LastAuthenticated" in entries["ec2"]:
        assert accessed
        assert max(a["LastAccessedTime"] for a in accessed) == entries["ec2"]["LastAuthenticated"]
        assert all(a["LastAccessedEntity"] == arn for a in accessed)


def test_unknown_job_and_entity(aws):
    iam = aws.client("iam", account=PROD)
    with pytest.raises(ClientError) as excinfo:
        iam.get_service_last_accessed_details(JobId="a8e0a8e0-0000-4000-8000-000000000000")
    assert excinfo.value.response["Error"]["Code"] == "NoSuchEntity"
    with pytest.raises(ClientError) as excinfo:
        iam.generate_service_last_accessed_details(
            Arn="arn:aws:iam::111111111111:role/aws-service-role/x.amazonaws.com/Nope"
        )
    assert excinfo.value.response["Error"]["Code"] == "NoSuchEntity"


def test_job_is_per_account(aws):
    prod = aws.client("iam", account=PROD)
    arn = prod.get_role(RoleName="AWSServiceRoleForECS")["Role"]["Arn"]
    job_id = prod.generate_service_last_accessed_details(Arn=arn)["JobId"]
    with pytest.raises(ClientError) as excinfo:
        aws.client("iam").get_service_last_accessed_details(JobId=job_id)
    assert excinfo.value.response["Error"]["Code"] == "NoSuchEntity"

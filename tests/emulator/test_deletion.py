"""DeleteServiceLinkedRole and the asynchronous deletion task."""

from __future__ import annotations

import re
import time

import pytest
from botocore.exceptions import ClientError

PROD = "111111111111"
STAGING = "222222222222"
PROD_REGIONS = ["ap-southeast-2", "eu-west-1", "us-east-1"]
TASK_ID = re.compile(
    r"^task/aws-service-role/ecs\.amazonaws\.com/AWSServiceRoleForECS/"
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
)


def poll_until_done(iam, task_id: str, limit: int = 20) -> tuple[list[str], dict]:
    seen = []
    for _ in range(limit):
        answer = iam.get_service_linked_role_deletion_status(DeletionTaskId=task_id)
        seen.append(answer["Status"])
        if answer["Status"] in ("SUCCEEDED", "FAILED"):
            return seen, answer
    raise AssertionError(f"deletion never finished: {seen}")


def clean_up_ecs(aws, account: str, regions: list[str]) -> None:
    """What rolecall does before deleting AWSServiceRoleForECS, in every region."""
    for region in regions:
        ecs = aws.client("ecs", region=region, account=account)
        for cluster in ecs.list_clusters()["clusterArns"]:
            for service in ecs.list_services(cluster=cluster, maxResults=100)["serviceArns"]:
                ecs.update_service(cluster=cluster, service=service, desiredCount=0)
                ecs.delete_service(cluster=cluster, service=service)
            for instance in ecs.list_container_instances(cluster=cluster)["containerInstanceArns"]:
                ecs.deregister_container_instance(
                    cluster=cluster, containerInstance=instance, force=True
                )
            ecs.delete_cluster(cluster=cluster)


def test_task_id_format_and_same_id_while_unfinished(aws):
    iam = aws.client("iam", account=PROD)
    first = iam.delete_service_linked_role(RoleName="AWSServiceRoleForECS")["DeletionTaskId"]
    assert TASK_ID.match(first)
    again = iam.delete_service_linked_role(RoleName="AWSServiceRoleForECS")["DeletionTaskId"]
    assert again == first


def test_blocked_by_clusters_fails_with_usage_and_role_stays(aws):
    iam = aws.client("iam", account=PROD)
    task_id = iam.delete_service_linked_role(RoleName="AWSServiceRoleForECS")["DeletionTaskId"]
    seen, answer = poll_until_done(iam, task_id)
    assert seen == ["NOT_STARTED", "IN_PROGRESS", "FAILED"]
    reason = answer["Reason"]
    assert "AWSServiceRoleForECS" in reason["Reason"]
    usage = {u["Region"]: u["Resources"] for u in reason["RoleUsageList"]}
    assert sorted(usage) == PROD_REGIONS
    assert usage["us-east-1"] == [
        "arn:aws:ecs:us-east-1:111111111111:cluster/payments-prod",
        "arn:aws:ecs:us-east-1:111111111111:cluster/web-prod",
    ]
    # The INACTIVE (deleted) legacy-apac cluster is not a blocker.
    assert usage["ap-southeast-2"] == [
        "arn:aws:ecs:ap-southeast-2:111111111111:cluster/web-prod-apac"
    ]
    assert iam.get_role(RoleName="AWSServiceRoleForECS")["Role"]["RoleName"]
    # A finished task stays answerable; a new request gets a new task.
    assert iam.get_service_linked_role_deletion_status(DeletionTaskId=task_id)["Status"] == "FAILED"
    retry = iam.delete_service_linked_role(RoleName="AWSServiceRoleForECS")["DeletionTaskId"]
    assert retry != task_id


def test_succeeds_after_clean_up_and_role_is_gone(aws):
    iam = aws.client("iam", account=PROD)
    clean_up_ecs(aws, PROD, PROD_REGIONS)
    task_id = iam.delete_service_linked_role(RoleName="AWSServiceRoleForECS")["DeletionTaskId"]
    seen, answer = poll_until_done(iam, task_id)
    assert seen[-1] == "SUCCEEDED"
    assert "Reason" not in answer
    with pytest.raises(ClientError) as excinfo:
        iam.get_role(RoleName="AWSServiceRoleForECS")
    assert excinfo.value.response["Error"]["Code"] == "NoSuchEntity"
    names = [r["RoleName"] for r in iam.list_roles(PathPrefix="/aws-service-role/")["Roles"]]
    assert "AWSServiceRoleForECS" not in names
    # The role can be created again afterwards (a "recreated" role).
    iam.create_service_linked_role(AWSServiceName="ecs.amazonaws.com")
    assert iam.get_role(RoleName="AWSServiceRoleForECS")["Role"]["RoleName"]


def test_staging_ecs_role_is_ready_to_delete(aws):
    iam = aws.client("iam", account=STAGING)
    task_id = iam.delete_service_linked_role(RoleName="AWSServiceRoleForECS")["DeletionTaskId"]
    assert poll_until_done(iam, task_id)[0] == ["NOT_STARTED", "IN_PROGRESS", "SUCCEEDED"]


def test_other_services_roles_succeed(aws):
    iam = aws.client("iam", account=PROD)
    task_id = iam.delete_service_linked_role(RoleName="AWSServiceRoleForEC2Spot")["DeletionTaskId"]
    assert task_id.startswith("task/aws-service-role/spot.amazonaws.com/AWSServiceRoleForEC2Spot/")
    assert poll_until_done(iam, task_id)[0][-1] == "SUCCEEDED"


def test_partial_usage_reports_only_first_region(aws, control):
    control.set_deletion(partial_usage=True)
    iam = aws.client("iam", account=PROD)
    task_id = iam.delete_service_linked_role(RoleName="AWSServiceRoleForECS")["DeletionTaskId"]
    usage = poll_until_done(iam, task_id)[1]["Reason"]["RoleUsageList"]
    assert [u["Region"] for u in usage] == ["ap-southeast-2"]
    # Clean up what was reported; the next attempt reveals the rest.
    clean_up_ecs(aws, PROD, ["ap-southeast-2"])
    task_id = iam.delete_service_linked_role(RoleName="AWSServiceRoleForECS")["DeletionTaskId"]
    usage = poll_until_done(iam, task_id)[1]["Reason"]["RoleUsageList"]
    assert [u["Region"] for u in usage] == ["eu-west-1"]


def test_forgotten_task_answers_no_such_entity(aws, control):
    control.set_deletion(mode="polls", polls=0, forget_task_on_success=True)
    iam = aws.client("iam", account=STAGING)
    task_id = iam.delete_service_linked_role(RoleName="AWSServiceRoleForECS")["DeletionTaskId"]
    with pytest.raises(ClientError) as excinfo:
        iam.get_service_linked_role_deletion_status(DeletionTaskId=task_id)
    assert excinfo.value.response["Error"]["Code"] == "NoSuchEntity"
    with pytest.raises(ClientError) as excinfo:
        iam.get_role(RoleName="AWSServiceRoleForECS")
    assert excinfo.value.response["Error"]["Code"] == "NoSuchEntity"


def test_wall_clock_mode(aws, control):
    # NOT_STARTED for the first 20% of the 2 s (emulator/deletion.py), then IN_PROGRESS;
    # each status call below sits far inside its phase, so a slow machine answers the same.
    control.set_deletion(mode="seconds", seconds=2.0)
    iam = aws.client("iam", account=STAGING)
    started = time.monotonic()
    task_id = iam.delete_service_linked_role(RoleName="AWSServiceRoleForECS")["DeletionTaskId"]

    def status_at(elapsed: float) -> str:
        time.sleep(max(0.0, started + elapsed - time.monotonic()))
        return iam.get_service_linked_role_deletion_status(DeletionTaskId=task_id)["Status"]

    assert status_at(0) == "NOT_STARTED"
    assert status_at(1.0) == "IN_PROGRESS"
    time.sleep(max(0.0, started + 2.5 - time.monotonic()))
    # The task finishes on its own time, even if nobody polls it.
    with pytest.raises(ClientError) as excinfo:
        iam.get_role(RoleName="AWSServiceRoleForECS")
    assert excinfo.value.response["Error"]["Code"] == "NoSuchEntity"
    assert status_at(0) == "SUCCEEDED"


def test_non_slr_and_unknown_roles_are_refused(aws):
    iam = aws.client("iam", account=PROD)
    with pytest.raises(ClientError) as excinfo:
        iam.delete_service_linked_role(RoleName="RolecallAudit")
    assert excinfo.value.response["Error"]["Code"] == "InvalidInput"
    assert iam.get_role(RoleName="RolecallAudit")["Role"]["RoleName"] == "RolecallAudit"
    with pytest.raises(ClientError) as excinfo:
        iam.delete_service_linked_role(RoleName="AWSServiceRoleForNothing")
    assert excinfo.value.response["Error"]["Code"] == "NoSuchEntity"
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_status_errors(aws):
    iam = aws.client("iam", account=PROD)
    for malformed in (
        "nonsense",
        "task/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS",
        "task/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS/not-a-uuid",
    ):
        with pytest.raises(ClientError) as excinfo:
            iam.get_service_linked_role_deletion_status(DeletionTaskId=malformed)
        assert excinfo.value.response["Error"]["Code"] == "InvalidInput"
    unknown = (
        "task/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS/"
        "6f1f4c1e-2d2b-4e43-9c55-0d7c9a1b2c3d"
    )
    with pytest.raises(ClientError) as excinfo:
        iam.get_service_linked_role_deletion_status(DeletionTaskId=unknown)
    assert excinfo.value.response["Error"]["Code"] == "NoSuchEntity"
    assert excinfo.value.response["ResponseMetadata"]["RequestId"]


def test_task_belongs_to_its_account(aws):
    prod = aws.client("iam", account=PROD)
    task_id = prod.delete_service_linked_role(RoleName="AWSServiceRoleForECS")["DeletionTaskId"]
    with pytest.raises(ClientError) as excinfo:
        aws.client("iam", account=STAGING).get_service_linked_role_deletion_status(
            DeletionTaskId=task_id
        )
    assert excinfo.value.response["Error"]["Code"] == "NoSuchEntity"

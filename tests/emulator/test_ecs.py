"""ECS as AWS documents it: refusals, statistics, list filtering, batch limits, pagination."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

PROD = "111111111111"


@pytest.fixture
def ecs(aws):
    return aws.client("ecs", region="us-east-1", account=PROD)


def cluster(ecs, name: str, include=("STATISTICS",)) -> dict:
    return ecs.describe_clusters(clusters=[name], include=list(include))["clusters"][0]


def code_of(excinfo) -> str:
    return excinfo.value.response["Error"]["Code"]


def test_describe_clusters_statistics(ecs):
    payments = cluster(ecs, "payments-prod", include=["STATISTICS", "TAGS"])
    assert payments["status"] == "ACTIVE"
    assert payments["activeServicesCount"] == 3
    assert payments["registeredContainerInstancesCount"] == 3
    assert payments["runningTasksCount"] == 10  # 6 + 4 + 0
    assert payments["pendingTasksCount"] == 0
    stats = {s["name"]: s["value"] for s in payments["statistics"]}
    assert stats["runningEC2TasksCount"] == "10"
    assert stats["activeEC2ServiceCount"] == "3"
    assert stats["runningFargateTasksCount"] == "0"
    assert {"key": "team", "value": "payments"} in payments["tags"]
    web = cluster(ecs, "web-prod")
    assert (
        web["activeServicesCount"],
        web["registeredContainerInstancesCount"],
        web["runningTasksCount"],
    ) == (2, 0, 11)
    assert {s["name"]: s["value"] for s in web["statistics"]}["runningFargateTasksCount"] == "11"
    plain = ecs.describe_clusters(clusters=["payments-prod"])["clusters"][0]
    assert "statistics" not in plain and "tags" not in plain


def test_delete_cluster_refusals_in_cleanup_order(ecs):
    with pytest.raises(ClientError) as excinfo:
        ecs.delete_cluster(cluster="payments-prod")
    assert code_of(excinfo) == "ClusterContainsServicesException"
    assert excinfo.value.response["Error"]["Message"] == (
        "The Cluster cannot be deleted while Services are active."
    )
    assert excinfo.value.response["ResponseMetadata"]["RequestId"]

    services = ecs.list_services(cluster="payments-prod")["serviceArns"]
    with pytest.raises(ClientError) as excinfo:
        ecs.delete_service(cluster="payments-prod", service=services[0])
    assert code_of(excinfo) == "InvalidParameterException"
    assert "scaled above 0" in excinfo.value.response["Error"]["Message"]

    for arn in services:
        scaled = ecs.update_service(cluster="payments-prod", service=arn, desiredCount=0)
        assert scaled["service"]["desiredCount"] == 0
        assert scaled["service"]["runningCount"] == 0  # drained at once
        deleted = ecs.delete_service(cluster="payments-prod", service=arn)["service"]
        # AWS passes through DRAINING; with no tasks left running the emulator is done at once.
        assert deleted["status"] == "INACTIVE"
    assert ecs.list_services(cluster="payments-prod")["serviceArns"] == []
    after = cluster(ecs, "payments-prod")
    assert (after["activeServicesCount"], after["runningTasksCount"]) == (0, 0)

    with pytest.raises(ClientError) as excinfo:
        ecs.delete_cluster(cluster="payments-prod")
    assert code_of(excinfo) == "ClusterContainsContainerInstancesException"

    instances = ecs.list_container_instances(cluster="payments-prod")["containerInstanceArns"]
    assert len(instances) == 3
    ecs.deregister_container_instance(
        cluster="payments-prod", containerInstance=instances[0], force=True
    )
    assert cluster(ecs, "payments-prod")["registeredContainerInstancesCount"] == 2
    for arn in instances[1:]:
        ecs.deregister_container_instance(
            cluster="payments-prod", containerInstance=arn, force=True
        )
    deleted = ecs.delete_cluster(cluster="payments-prod")["cluster"]
    assert deleted["status"] == "INACTIVE"
    arns = ecs.list_clusters()["clusterArns"]
    assert arns == ["arn:aws:ecs:us-east-1:111111111111:cluster/web-prod"]
    # Still describable for a while, as INACTIVE.
    assert cluster(ecs, "payments-prod")["status"] == "INACTIVE"


def test_delete_cluster_refused_while_tasks_run(aws):
    ecs = aws.client("ecs", region="eu-west-1", account=PROD)
    ec2 = aws.client("ec2", region="eu-west-1", account=PROD)
    ecs.create_cluster(clusterName="adhoc")
    instance = ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1)["Instances"][0]
    document = json.dumps({"instanceId": instance["InstanceId"], "region": "eu-west-1"})
    registered = ecs.register_container_instance(cluster="adhoc", instanceIdentityDocument=document)
    ecs.register_task_definition(
        family="migrate",
        containerDefinitions=[{"name": "migrate", "image": "migrate:1", "memory": 128, "cpu": 128}],
    )
    assert ecs.run_task(cluster="adhoc", taskDefinition="migrate")["tasks"]
    ecs.deregister_container_instance(
        cluster="adhoc",
        containerInstance=registered["containerInstance"]["containerInstanceArn"],
        force=True,
    )
    with pytest.raises(ClientError) as excinfo:
        ecs.delete_cluster(cluster="adhoc")
    assert code_of(excinfo) == "ClusterContainsTasksException"
    assert excinfo.value.response["Error"]["Message"] == (
        "The Cluster cannot be deleted while Tasks are active."
    )


def test_inactive_clusters_are_not_listed(aws):
    ecs = aws.client("ecs", region="ap-southeast-2", account=PROD)
    assert ecs.list_clusters()["clusterArns"] == [
        "arn:aws:ecs:ap-southeast-2:111111111111:cluster/web-prod-apac"
    ]
    legacy = ecs.describe_clusters(clusters=["legacy-apac"])["clusters"][0]
    assert legacy["status"] == "INACTIVE"


def test_describe_batch_limits(ecs):
    names = [f"c{i}" for i in range(101)]
    with pytest.raises(ClientError) as excinfo:
        ecs.describe_clusters(clusters=names)
    assert code_of(excinfo) == "InvalidParameterException"
    assert len(ecs.describe_clusters(clusters=names[:100])["failures"]) == 100
    services = [f"s{i}" for i in range(11)]
    with pytest.raises(ClientError) as excinfo:
        ecs.describe_services(cluster="payments-prod", services=services)
    assert code_of(excinfo) == "InvalidParameterException"
    answer = ecs.describe_services(
        cluster="payments-prod", services=["checkout-api", "payments-worker"]
    )
    assert [
        (s["serviceName"], s["desiredCount"], s["runningCount"]) for s in answer["services"]
    ] == [("checkout-api", 6, 6), ("payments-worker", 4, 4)]
    with pytest.raises(ClientError) as excinfo:
        ecs.describe_container_instances(
            cluster="payments-prod", containerInstances=[f"i{i}" for i in range(101)]
        )
    assert code_of(excinfo) == "InvalidParameterException"


def test_list_pagination(ecs):
    ecs.create_cluster(clusterName="many")
    for i in range(23):
        ecs.create_service(cluster="many", serviceName=f"svc-{i:02d}", desiredCount=1)
    first = ecs.list_services(cluster="many")
    assert len(first["serviceArns"]) == 10  # AWS's default page size for ListServices
    collected = [
        arn
        for page in ecs.get_paginator("list_services").paginate(cluster="many")
        for arn in page["serviceArns"]
    ]
    assert len(collected) == len(set(collected)) == 23
    page = ecs.list_clusters(maxResults=1)
    assert len(page["clusterArns"]) == 1 and page["nextToken"]
    rest = ecs.list_clusters(maxResults=100, nextToken=page["nextToken"])
    assert len(rest["clusterArns"]) == 2 and "nextToken" not in rest
    with pytest.raises(ClientError) as excinfo:
        ecs.list_clusters(maxResults=101)
    assert code_of(excinfo) == "InvalidParameterException"
    instances = ecs.list_container_instances(cluster="payments-prod", maxResults=2)
    assert len(instances["containerInstanceArns"]) == 2 and instances["nextToken"]


def test_list_tags_for_resource(ecs):
    arn = "arn:aws:ecs:us-east-1:111111111111:cluster/payments-prod"
    tags = ecs.list_tags_for_resource(resourceArn=arn)["tags"]
    assert {"key": "env", "value": "prod"} in tags


def test_first_cluster_creates_the_ecs_role(emulator, aws):
    emulator.control.reset("empty")
    iam, ecs = aws.client("iam"), aws.client("ecs", region="eu-north-1")
    assert iam.list_roles(PathPrefix="/aws-service-role/")["Roles"] == []
    ecs.create_cluster(clusterName="first")
    role = iam.get_role(RoleName="AWSServiceRoleForECS")["Role"]
    assert role["Path"] == "/aws-service-role/ecs.amazonaws.com/"
    ecs.create_cluster(clusterName="second")  # the existing role is kept
    assert len(iam.list_roles(PathPrefix="/aws-service-role/")["Roles"]) == 1

"""Cleanup plans: the dry run and the region steps, against the emulator over HTTP.

The region steps are called directly (no broker); tests/cleanup/test_cleanup_worker.py
runs them in real worker processes.
"""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from roles.cleanup import plan as planning
from roles.cleanup.plan import CleanupRefused
from roles.cleanup.service import request_execution
from roles.inventory.readiness import readiness
from roles.models import (
    AuditEvent,
    CleanupPlan,
    Notification,
    ProtectedRule,
    ServiceLinkedRole,
)
from tests.support.aws import client
from tests.support.drive import drive_cleanup, planned_and_queued

# The SQLite pass of .ci/run runs this module too (docs/testing.md).
pytestmark = pytest.mark.engine

PROD = "111111111111"
REGIONS = ["ap-southeast-2", "eu-west-1", "us-east-1"]
MUTATING = (
    "ecs:UpdateService",
    "ecs:DeleteService",
    "ecs:DeregisterContainerInstance",
    "ecs:DeleteCluster",
)
# The demo's prod account, region by region (emulator/scenarios/demo.py).
DEMO = {
    "us-east-1": {"clusters": 2, "services": 5, "instances": 3},
    "eu-west-1": {"clusters": 2, "services": 3, "instances": 3},
    "ap-southeast-2": {"clusters": 1, "services": 1, "instances": 2},
}


@pytest.fixture
def prod(sync_demo):
    return sync_demo("acme-prod", regions=REGIONS)["acme-prod"]


def ecs_role(account) -> ServiceLinkedRole:
    return ServiceLinkedRole.objects.get(account=account, name="AWSServiceRoleForECS")


def calls(emulator) -> dict[str, int]:
    return emulator.control.calls()["operations"]


def step_counts(plan: CleanupPlan, **filters) -> dict[str, int]:
    counts: dict[str, int] = {}
    for action in plan.steps.filter(**filters).values_list("action", flat=True):
        counts[action] = counts.get(action, 0) + 1
    return counts


def test_planning_is_a_dry_run_with_the_ordered_steps_per_region(emulator, prod, operator):
    plan, created = planning.build(ecs_role(prod), user=operator)
    assert created and plan.state == "planned"
    made = calls(emulator)
    assert [op for op in MUTATING if made.get(op)] == []
    assert made["ecs:ListClusters"] == 3  # a fresh read of every scanned region
    assert plan.inventory_calls == sum(made.values())

    regions, totals = planning.summary(plan)
    assert [r.row.region for r in regions] == REGIONS
    for item in regions:
        expected = DEMO[item.row.region]
        assert item.clusters == expected["clusters"]
        assert item.actions["UpdateService"] == expected["services"]
        assert item.actions["DeleteService"] == expected["services"]
        assert item.actions["DeregisterContainerInstance"] == expected["instances"]
        assert item.actions["DeleteCluster"] == expected["clusters"]
    assert totals["total"] == 36 and totals["clusters"] == 5

    # Within a cluster: each service scaled to 0 then deleted, instances, drain, cluster.
    cluster = plan.steps.filter(region__region="ap-southeast-2").order_by("order")
    assert [s.action for s in cluster] == [
        "UpdateService",
        "DeleteService",
        "DeregisterContainerInstance",
        "DeregisterContainerInstance",
        "WaitForDrain",
        "DeleteCluster",
    ]
    assert cluster[0].resource_arn.startswith("arn:aws:ecs:ap-southeast-2:111111111111:service/")
    assert cluster[5].resource_arn == cluster[0].cluster_arn
    event = AuditEvent.objects.get(action="cleanup.planned")
    assert event.actor == operator and event.details["cleanup_plan"] == plan.pk
    assert event.details["steps"]["DeleteCluster"] == 5


def test_planning_again_supersedes_the_dry_run(emulator, prod, operator):
    first, _ = planning.build(ecs_role(prod), user=operator)
    second, created = planning.build(ecs_role(prod), user=operator)
    assert created and second.pk != first.pk
    first.refresh_from_db()
    assert first.state == "superseded"
    assert [op for op in MUTATING if calls(emulator).get(op)] == []


def test_one_active_plan_per_role_is_enforced_by_the_database(emulator, prod, operator):
    plan, _ = planning.build(ecs_role(prod), user=operator)
    with pytest.raises(IntegrityError), transaction.atomic():
        CleanupPlan.objects.create(
            role=plan.role,
            account=prod,
            role_arn=plan.role_arn,
            role_name=plan.role_name,
            requested_by_name="x",
            state="queued",
        )


def test_a_plan_being_executed_is_returned_instead_of_a_new_one(emulator, prod, operator):
    plan = planned_and_queued(prod, operator)
    again, created = planning.build(ecs_role(prod), user=operator)
    assert (again.pk, created) == (plan.pk, False)


def test_only_the_ecs_role_can_be_planned(emulator, prod, operator):
    role = ServiceLinkedRole.objects.filter(account=prod).exclude(name="AWSServiceRoleForECS")[0]
    with pytest.raises(CleanupRefused):
        planning.build(role, user=operator)
    assert not CleanupPlan.objects.exists()
    assert calls(emulator) == {}


def test_executing_the_plan_removes_every_blocker(emulator, prod, operator):
    plan = drive_cleanup(planned_and_queued(prod, operator))
    assert plan.state == "succeeded"
    assert plan.steps.exclude(status="done").count() == 0
    made = calls(emulator)
    assert made["ecs:UpdateService"] == made["ecs:DeleteService"] == 9
    assert made["ecs:DeregisterContainerInstance"] == 8
    assert made["ecs:DeleteCluster"] == 5
    for region in REGIONS:
        assert client("ecs", PROD, region).list_clusters()["clusterArns"] == []
    # Every AWS call is an audit event with its request id.
    steps = AuditEvent.objects.filter(action="cleanup.step")
    assert steps.count() == 36
    assert not steps.filter(aws_request_id="").exists()
    assert set(steps.values_list("region", flat=True)) == set(REGIONS)
    note = Notification.objects.get(user=operator)
    assert note.title == "Cleanup for AWSServiceRoleForECS in acme-prod succeeded"
    assert note.link == f"/cleanups/{plan.pk}/"
    # The inventory was read again: the deletion starts on fresh evidence.
    assert plan.resync.status == "succeeded"
    assert readiness(ecs_role(prod)).verdict == "ready"


def test_a_cluster_with_150_services_and_120_instances_is_cleaned_whole(
    emulator, sync_demo, operator
):
    ecs = client("ecs", "222222222222", "us-west-2")
    ec2 = client("ec2", "222222222222", "us-west-2")
    cluster = ecs.create_cluster(clusterName="big")["cluster"]["clusterArn"]
    ecs.register_task_definition(
        family="web", containerDefinitions=[{"name": "web", "image": "nginx", "memory": 128}]
    )
    for n in range(150):
        ecs.create_service(
            cluster="big", serviceName=f"svc-{n:03}", taskDefinition="web", desiredCount=1 + n % 3
        )
    image = "ami-12c6146b"  # the emulator loads no AMI catalogue; moto does not check ids
    ids = []
    for _ in range(2):
        reservation = ec2.run_instances(ImageId=image, MinCount=60, MaxCount=60)
        ids += [i["InstanceId"] for i in reservation["Instances"]]
    for instance_id in ids:
        ecs.register_container_instance(
            cluster="big",
            instanceIdentityDocument=f'{{"instanceId": "{instance_id}", "region": "us-west-2"}}',
        )
    staging = sync_demo("acme-staging", regions=["us-west-2"])["acme-staging"]

    plan = planned_and_queued(staging, operator)
    assert step_counts(plan) == {
        "UpdateService": 150,
        "DeleteService": 150,
        "DeregisterContainerInstance": 120,
        "WaitForDrain": 1,
        "DeleteCluster": 1,
    }
    plan = drive_cleanup(plan)
    assert plan.state == "succeeded"
    made = calls(emulator)
    assert (made["ecs:UpdateService"], made["ecs:DeleteService"]) == (150, 150)
    assert made["ecs:DeregisterContainerInstance"] == 120
    assert made["ecs:DeleteCluster"] == 1
    assert ecs.list_services(cluster="big")["serviceArns"] == []
    assert ecs.list_container_instances(cluster="big")["containerInstanceArns"] == []
    assert ecs.describe_clusters(clusters=[cluster])["clusters"][0]["status"] == "INACTIVE"


def test_a_protected_cluster_is_skipped_and_stays_the_remaining_blocker(emulator, prod, operator):
    eu = client("ecs", PROD, "eu-west-1")
    kept = next(a for a in eu.list_clusters()["clusterArns"] if a.endswith("/payments-prod-eu"))
    eu.tag_resource(resourceArn=kept, tags=[{"key": "rolecall:protect", "value": "true"}])

    plan, _ = planning.build(ecs_role(prod), user=operator)
    skipped = plan.steps.filter(cluster_arn=kept)
    assert skipped.count() == 2 * 2 + 2 + 1 + 1  # 2 services, 2 instances, drain, cluster
    assert set(skipped.values_list("status", flat=True)) == {"skipped"}
    assert "tagged rolecall:protect=true" in skipped[0].note
    assert plan.protected_notes == [
        "eu-west-1: cluster payments-prod-eu is left alone (The cluster is tagged "
        "rolecall:protect=true.); the role stays in use in eu-west-1."
    ]
    request_execution(plan, user=operator)
    plan = drive_cleanup(plan)
    assert plan.state == "partial"
    assert eu.describe_clusters(clusters=[kept])["clusters"][0]["status"] == "ACTIVE"
    assert len(eu.list_services(cluster=kept)["serviceArns"]) == 2
    assert calls(emulator)["ecs:DeleteCluster"] == 4
    assert not AuditEvent.objects.filter(action="cleanup.step", target_arn=kept).exists()
    # The deletion now predicts the protected cluster as the one remaining blocker.
    verdict = readiness(ecs_role(prod))
    assert verdict.verdict == "blocked"
    assert verdict.usage.role_usage_list() == [{"Region": "eu-west-1", "Resources": [kept]}]
    note = Notification.objects.get(user=operator)
    assert note.title.endswith("partial") and "payments-prod-eu is left alone" in note.body


@pytest.mark.parametrize(
    "key, value",
    [("Rolecall:Protect", "TRUE"), ("ROLECALL:PROTECT", " True "), ("rolecall:protect", "tRuE")],
)
def test_attack_a_protect_tag_in_another_case_still_protects_the_cluster(
    emulator, prod, operator, key, value
):
    eu = client("ecs", PROD, "eu-west-1")
    kept = next(a for a in eu.list_clusters()["clusterArns"] if a.endswith("/payments-prod-eu"))
    eu.tag_resource(resourceArn=kept, tags=[{"key": key, "value": value}])
    plan, _ = planning.build(ecs_role(prod), user=operator)
    assert set(plan.steps.filter(cluster_arn=kept).values_list("status", flat=True)) == {"skipped"}
    assert plan.steps.exclude(cluster_arn=kept).exclude(status="skipped").exists()


def test_a_protect_tag_with_another_value_does_not_protect(emulator, prod, operator):
    eu = client("ecs", PROD, "eu-west-1")
    kept = next(a for a in eu.list_clusters()["clusterArns"] if a.endswith("/payments-prod-eu"))
    eu.tag_resource(resourceArn=kept, tags=[{"key": "Rolecall:Protect", "value": "false"}])
    plan, _ = planning.build(ecs_role(prod), user=operator)
    assert not plan.steps.filter(cluster_arn=kept, status="skipped").exists()


def test_a_cluster_tagged_after_planning_is_left_alone(emulator, prod, operator):
    eu = client("ecs", PROD, "eu-west-1")
    kept = next(a for a in eu.list_clusters()["clusterArns"] if a.endswith("/payments-prod-eu"))
    plan, _ = planning.build(ecs_role(prod), user=operator)
    assert not plan.steps.filter(cluster_arn=kept, status="skipped").exists()
    eu.tag_resource(resourceArn=kept, tags=[{"key": "rolecall:protect", "value": "true"}])

    request_execution(plan, user=operator)
    plan = drive_cleanup(plan)
    assert plan.state == "partial"
    steps = plan.steps.filter(cluster_arn=kept)
    assert set(steps.values_list("status", flat=True)) == {"skipped"}
    assert "Protected since planning" in steps.first().note
    assert eu.describe_clusters(clusters=[kept])["clusters"][0]["status"] == "ACTIVE"
    assert len(eu.list_services(cluster=kept)["serviceArns"]) == 2
    skipped = AuditEvent.objects.get(action="cleanup.step", details__cluster=kept)
    assert (skipped.outcome, skipped.details["result"]) == ("denied", "skipped")


def test_a_protected_account_gives_a_plan_with_every_step_skipped(emulator, prod, operator):
    ProtectedRule.objects.create(kind="account", pattern=PROD, reason="Payments live here.")
    plan, _ = planning.build(ecs_role(prod), user=operator)
    assert set(plan.steps.values_list("status", flat=True)) == {"skipped"}
    assert plan.protected_notes[0].startswith("Protected: Account 111111111111 is protected")
    with pytest.raises(CleanupRefused, match="Protected"):
        request_execution(plan, user=operator)
    assert AuditEvent.objects.get(action="cleanup.refused").outcome == "denied"
    assert [op for op in MUTATING if calls(emulator).get(op)] == []


def test_protection_added_after_approval_stops_the_remaining_steps(emulator, prod, operator):
    plan = planned_and_queued(prod, operator)
    ProtectedRule.objects.create(kind="account", pattern=PROD, reason="Frozen for audit.")
    plan = drive_cleanup(plan)
    assert plan.state == "failed"
    assert set(plan.steps.values_list("status", flat=True)) == {"skipped"}
    assert "Frozen for audit." in plan.steps.first().note
    assert [op for op in MUTATING if calls(emulator).get(op)] == []


def test_a_refused_step_stops_its_region_and_the_others_go_on(emulator, prod, operator):
    emulator.control.add_faults(
        {
            "operation": "ecs:DeleteCluster",
            "error": "ClusterContainsTasksException",
            "message": "The Cluster cannot be deleted while Tasks are active.",
            "region": "eu-west-1",
        }
    )
    plan = drive_cleanup(planned_and_queued(prod, operator))
    assert plan.state == "partial"
    states = dict(plan.regions.values_list("region", "state"))
    assert states == {"ap-southeast-2": "done", "eu-west-1": "stopped", "us-east-1": "done"}
    failed = plan.steps.get(status="failed")
    assert (failed.region.region, failed.action) == ("eu-west-1", "DeleteCluster")
    assert failed.error_code == "ClusterContainsTasksException" and failed.request_id
    # Nothing after the refused step ran in that region: the 8 steps of its other cluster.
    later = plan.steps.filter(region=failed.region, order__gt=failed.order)
    assert list(later.values_list("status", flat=True)) == ["pending"] * 8
    assert calls(emulator)["ecs:DeleteCluster"] == 3 + 1
    event = AuditEvent.objects.get(action="cleanup.step", outcome="failure")
    assert event.aws_request_id == failed.request_id and event.region == "eu-west-1"
    note = Notification.objects.get(user=operator)
    assert "ClusterContainsTasksException" in note.body and failed.request_id in note.body


def test_retryable_errors_are_retried_with_backoff(emulator, prod, operator):
    emulator.control.add_faults(
        {
            "operation": "ecs:DeleteService",
            "error": "Throttling",
            "count": 2,
            "region": "ap-southeast-2",
        }
    )
    plan = drive_cleanup(planned_and_queued(prod, operator))
    assert plan.state == "succeeded"
    step = plan.steps.get(region__region="ap-southeast-2", action="DeleteService")
    assert step.attempts == 3
    assert [e["code"] for e in step.transient_errors] == ["ThrottlingException"] * 2
    assert calls(emulator)["ecs:DeleteService"] == 9 + 2


def test_an_instance_already_deregistered_counts_as_done(emulator, prod, operator):
    plan = planned_and_queued(prod, operator)
    step = plan.steps.filter(action="DeregisterContainerInstance").first()
    client("ecs", PROD, step.region.region).deregister_container_instance(
        cluster=step.cluster_arn, containerInstance=step.resource_arn, force=True
    )
    plan = drive_cleanup(plan)
    assert plan.state == "succeeded"
    step.refresh_from_db()
    assert (step.status, step.note) == ("done", "Already deregistered.")

"""Sync against the emulator over HTTP: what is stored, and what survives failures."""

import pytest

from roles.inventory.readiness import readiness
from roles.inventory.sync.service import run_sync, start_sync
from roles.models import (
    AccessAdvisorEntry,
    AuditEvent,
    EcsCluster,
    EcsRegion,
    Notification,
    ServiceLinkedRole,
    SyncRun,
)
from tests.support.aws import client
from tests.support.sync import sync_now

# The SQLite pass of .ci/run runs this module too (docs/testing.md).
pytestmark = pytest.mark.engine

PROD_REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2", "us-west-2"]


@pytest.fixture
def prod(demo_accounts):
    account = demo_accounts["acme-prod"]
    account.regions = PROD_REGIONS
    account.save(update_fields=["regions"])
    return account


def ecs_role(account) -> ServiceLinkedRole:
    return ServiceLinkedRole.objects.get(account=account, name="AWSServiceRoleForECS")


def test_it_stores_every_slr_with_details_policies_and_advisor(emulator, prod):
    run = sync_now(prod)
    assert run.status == SyncRun.Status.SUCCEEDED, run.error or run.region_errors
    roles = ServiceLinkedRole.objects.filter(account=prod)
    assert roles.count() == 14  # demo.ROLES[PROD] (emulator/scenarios/demo.py)
    assert all(r.path.startswith("/aws-service-role/") for r in roles)
    role = ecs_role(prod)
    assert role.service_principal == "ecs.amazonaws.com"
    assert role.arn.endswith(":role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS")
    statement_ids = {s["Sid"] for s in role.permissions[0]["document"]["Statement"]}
    assert statement_ids == {  # AmazonECSServiceRolePolicy, as the AWS ECS guide prints it
        "AutoScaling",
        "AutoScalingManagement",
        "AutoScalingPlanManagement",
        "CWAlarmManagement",
        "CWLogGroupManagement",
        "CWLogStreamManagement",
        "ECSTagging",
        "ECSTaskManagement",
    }
    assert role.trust_policy["Statement"][0]["Principal"]["Service"] == "ecs.amazonaws.com"
    assert role.aws_created_at is not None
    # Seeded; 4 of them (ec2, eks, iam, logs) for AWSServiceRoleForAmazonEKS, whose
    # policy names those namespaces (emulator/policy_documents.py).
    assert AccessAdvisorEntry.objects.filter(role__account=prod).count() == 57
    assert all(r.advisor_synced_at for r in roles)


def test_it_counts_the_aws_calls_it_made(emulator, prod):
    emulator.control.reset_calls()
    run = sync_now(prod)
    assert run.aws_calls == emulator.control.calls()["total"]


def test_ecs_blockers_per_region_and_the_verdict(emulator, prod):
    sync_now(prod)
    role = ecs_role(prod)
    verdict = readiness(role)
    assert verdict.verdict == "blocked"
    usage = verdict.usage.role_usage_list()
    assert [u["Region"] for u in usage] == ["ap-southeast-2", "eu-west-1", "us-east-1"]
    assert role.blocker_count == 5 and role.blocked_regions == 3
    assert not any("legacy-apac" in arn for u in usage for arn in u["Resources"])
    # The counts DescribeClusters gives; the lists are read when a page asks
    # (roles/inventory/views/resources.py), never by the sync.
    stored = {
        (c.region.region, c.name): (c.active_services, c.registered_instances)
        for c in EcsCluster.objects.filter(region__account=prod, status="ACTIVE")
    }
    assert stored == {  # (active services, registered container instances)
        ("us-east-1", "payments-prod"): (3, 3),
        ("us-east-1", "web-prod"): (2, 0),
        ("eu-west-1", "payments-prod-eu"): (2, 2),
        ("eu-west-1", "batch-eu"): (1, 1),
        ("ap-southeast-2", "web-prod-apac"): (1, 2),
    }


def test_staging_ecs_role_can_be_deleted_now(emulator, demo_accounts):
    staging = demo_accounts["acme-staging"]
    staging.regions = PROD_REGIONS
    staging.save(update_fields=["regions"])
    sync_now(staging)
    verdict = readiness(ecs_role(staging))
    assert verdict.verdict == "ready"
    assert verdict.text.startswith("Can be deleted now")


def test_a_failing_region_keeps_its_previous_data_marked_stale(emulator, prod):
    assert sync_now(prod).status == SyncRun.Status.SUCCEEDED
    before = set(
        EcsCluster.objects.filter(region__region="eu-west-1").values_list("arn", flat=True)
    )
    emulator.control.add_faults(
        {"operation": "ecs:ListClusters", "error": "AccessDenied", "region": "eu-west-1"}
    )
    run = sync_now(prod)
    assert run.status == SyncRun.Status.PARTIAL
    error = run.region_errors["eu-west-1"]
    assert error["code"] == "AccessDeniedException"
    assert error["request_id"]
    region = EcsRegion.objects.get(account=prod, region="eu-west-1")
    assert region.stale and region.error["code"] == "AccessDeniedException"
    after = set(EcsCluster.objects.filter(region__region="eu-west-1").values_list("arn", flat=True))
    assert after == before and before
    assert not EcsRegion.objects.get(account=prod, region="us-east-1").stale
    verdict = readiness(ecs_role(prod))
    assert verdict.verdict == "blocked"
    assert "1 region could not be checked" in verdict.text
    finished = AuditEvent.objects.filter(action="sync.finished").first()
    assert finished.outcome == "failure"
    assert finished.details["region_errors"]["eu-west-1"]["code"] == "AccessDeniedException"


def test_an_account_level_failure_shows_the_code_and_request_id(emulator, prod):
    prod.external_id = "wrong"
    prod.save(update_fields=["external_id"])
    run = sync_now(prod)
    assert run.status == SyncRun.Status.FAILED
    assert run.error["code"] == "AccessDenied"
    assert run.error["request_id"]
    event = AuditEvent.objects.filter(action="sync.finished").get()
    assert event.outcome == "failure" and event.aws_request_id == run.error["request_id"]


def test_a_role_missing_from_aws_is_marked_gone(emulator, prod):
    sync_now(prod)
    ServiceLinkedRole.objects.filter(account=prod).update(state="present")
    ghost = ServiceLinkedRole.objects.create(
        account=prod,
        arn="arn:aws:iam::111111111111:role/aws-service-role/x.amazonaws.com/Ghost",
        name="Ghost",
        path="/aws-service-role/x.amazonaws.com/",
        service_principal="x.amazonaws.com",
    )
    sync_now(prod)
    ghost.refresh_from_db()
    assert ghost.state == "gone" and ghost.gone_since is not None


def test_a_role_deleted_through_rolecall_that_reappears_is_flagged_recreated(
    emulator, prod, operator
):
    sync_now(prod)
    ServiceLinkedRole.objects.filter(pk=ecs_role(prod).pk).update(state="deleted")
    sync_now(prod)
    assert ecs_role(prod).state == "recreated"
    event = AuditEvent.objects.get(action="role.recreated")
    assert event.target_arn == ecs_role(prod).arn
    note = Notification.objects.get(user=operator)
    assert note.title == "AWSServiceRoleForECS in acme-prod was recreated"


def test_a_second_refresh_joins_the_active_sync(emulator, prod):
    first = start_sync(prod)
    second = start_sync(prod)
    assert first.pk == second.pk
    assert SyncRun.objects.count() == 1
    assert AuditEvent.objects.filter(action="sync.started").count() == 1


def test_running_a_finished_sync_again_does_nothing(emulator, prod):
    run = sync_now(prod)
    emulator.control.reset_calls()
    assert run_sync(run.pk) is None
    assert emulator.control.calls()["total"] == 0


def test_all_regions_are_scanned_when_none_are_configured(emulator, demo_accounts):
    hub = demo_accounts["security-hub"]
    run = sync_now(hub)
    assert run.status == SyncRun.Status.SUCCEEDED
    enabled = client("ec2").describe_regions(AllRegions=False)["Regions"]
    assert sorted(run.regions) == sorted(r["RegionName"] for r in enabled)
    assert EcsRegion.objects.filter(account=hub).count() == len(run.regions)


@pytest.mark.worker
def test_a_real_worker_syncs_an_account(emulator, worker, prod):
    from tests.support.processes import wait_for

    run = start_sync(prod)
    wait_for(
        lambda: SyncRun.objects.get(pk=run.pk).status not in SyncRun.ACTIVE,
        timeout=120,
        message="sync did not finish:\n" + "".join(worker.output[-40:]),
    )
    run.refresh_from_db()
    assert run.status == SyncRun.Status.SUCCEEDED, (run.error, run.region_errors)
    assert ServiceLinkedRole.objects.filter(account=prod).count() == 14  # demo.ROLES[PROD]


def test_a_running_sync_is_not_run_twice_at_once(emulator, prod):
    from django.utils import timezone

    run = start_sync(prod)
    SyncRun.objects.filter(pk=run.pk).update(
        status="running", task_id="first", started=timezone.now()
    )
    emulator.control.reset_calls()
    assert run_sync(run.pk, task_id="second") is None
    assert emulator.control.calls()["total"] == 0
    # A redelivery of the same message (its worker died) takes over.
    assert run_sync(run.pk, task_id="first").status == SyncRun.Status.SUCCEEDED


def test_a_sync_that_outlived_the_time_limit_can_be_taken_over(emulator, prod, settings):
    from datetime import timedelta

    from django.utils import timezone

    run = start_sync(prod)
    started = timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 1)
    SyncRun.objects.filter(pk=run.pk).update(status="running", task_id="dead", started=started)
    assert run_sync(run.pk, task_id="sweeper").status == SyncRun.Status.SUCCEEDED

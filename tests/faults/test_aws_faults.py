"""AWS misbehaving (the emulator's fault switches) under a real worker."""

import pytest
from django.test import Client

from roles.deletion.service import request_deletion
from roles.inventory.sync.service import start_sync
from roles.models import EcsCluster, EcsRegion, ServiceRegion, ServiceResource, SyncRun
from tests.faults.helpers import (
    DELETE,
    GET_ROLE,
    PROD,
    STAGING,
    STATUS,
    calls,
    events,
    not_terminal,
    notes,
    slr,
    wait_terminal,
)
from tests.support.processes import wait_for

pytestmark = [pytest.mark.faults, pytest.mark.worker]


def test_6_throttling_on_the_status_call_twice_then_success(
    fault_record, accounts, emulator, processes, operator
):
    record = fault_record(6, "Throttling on the status call twice, then success")
    processes.worker()
    emulator.control.add_faults({"operation": STATUS, "error": "Throttling", "count": 2})
    deletion = request_deletion(slr(STAGING), user=operator).request
    wait_terminal(deletion, processes.workers)

    assert deletion.state == "succeeded"
    attempt = deletion.attempts.get()
    assert [e["code"] for e in attempt.transient_errors] == ["Throttling", "Throttling"]
    assert all(e["request_id"] and e["phase"] == "poll" for e in attempt.transient_errors)
    assert notes(operator) == [
        ("success", "Deletion of AWSServiceRoleForECS in acme-staging succeeded")
    ]
    [succeeded] = events("deletion.succeeded")
    assert [e["code"] for e in succeeded.details["transient_errors"]] == ["Throttling"] * 2
    assert not events("deletion.failed")
    assert calls(emulator, DELETE) == 1
    assert calls(emulator, STATUS) == 5  # 2 throttled + NOT_STARTED, IN_PROGRESS, SUCCEEDED
    record.injected = "Throttling (HTTP 400) on the next 2 GetServiceLinkedRoleDeletionStatus calls"
    record.outcome = (
        "SUCCEEDED; no error notification, 1 success notification; both throttles (with request "
        "ids) in the deletion.succeeded audit details"
    )
    record.aws_calls = {DELETE: calls(emulator, DELETE), STATUS: calls(emulator, STATUS)}
    record.data_lost = not_terminal(deletion)
    assert record.data_lost == 0


def test_7_access_denied_on_delete(fault_record, accounts, emulator, processes, operator):
    record = fault_record(7, "AccessDenied on DeleteServiceLinkedRole")
    processes.worker()
    emulator.control.add_faults({"operation": DELETE, "error": "AccessDenied"})
    deletion = request_deletion(slr(STAGING), user=operator).request
    wait_terminal(deletion, processes.workers)

    assert deletion.state == "failed"
    attempt = deletion.attempts.get()
    assert attempt.status == "error"
    assert attempt.error["code"] == "AccessDenied"
    request_id = attempt.error["request_id"]
    assert request_id
    assert calls(emulator, DELETE) == 1
    assert calls(emulator, STATUS) == 0
    [failed] = events("deletion.failed")
    assert failed.outcome == "denied"
    assert failed.aws_request_id == request_id
    [(level, title)] = notes(operator)
    assert (level, title) == (
        "error",
        "Deletion of AWSServiceRoleForECS in acme-staging failed: AccessDenied",
    )
    client = Client()
    client.force_login(operator)
    page = client.get(f"/deletions/{deletion.pk}/").content.decode()
    assert "AccessDenied" in page and request_id in page
    record.injected = "AccessDenied (HTTP 403) on every DeleteServiceLinkedRole call"
    record.outcome = (
        "exactly one call, no retry; request failed, attempt error AccessDenied with its request "
        "id shown on the page; audit outcome denied; 1 error notification"
    )
    record.aws_calls = {DELETE: calls(emulator, DELETE), STATUS: calls(emulator, STATUS)}
    record.data_lost = not_terminal(deletion)
    assert record.data_lost == 0


def test_8_nosuchentity_on_delete_and_on_the_status_call(
    fault_record, accounts, emulator, processes, operator
):
    record = fault_record(8, "NoSuchEntity on DeleteServiceLinkedRole and on the status call")
    processes.worker(ROLECALL_MISSING_TASK_CHECKS="2")

    # The role is already gone: terminal "already absent", nothing polled.
    emulator.control.add_faults({"operation": DELETE, "error": "NoSuchEntity", "count": 1})
    absent = wait_terminal(request_deletion(slr(STAGING), user=operator).request, processes.workers)
    assert absent.state == "succeeded"
    assert "already absent" in absent.attempts.get().reason
    assert (calls(emulator, DELETE), calls(emulator, STATUS)) == (1, 0)

    # The task record vanished with the role: GetRole confirms it is gone.
    emulator.control.reset_calls()
    emulator.control.set_deletion(forget_task_on_success=True)
    gone = wait_terminal(
        request_deletion(slr(STAGING, "AWSServiceRoleForRDS"), user=operator).request,
        processes.workers,
    )
    assert gone.state == "succeeded"
    assert "GetRole confirmed" in gone.attempts.get().reason
    # One GetRole binds the submission to the role AWS reports, one confirms it gone.
    assert calls(emulator, GET_ROLE) == 2
    confirmed = calls(emulator)

    # NoSuchEntity while GetRole still finds the role: bounded re-checks, then error.
    emulator.control.reset_calls()
    emulator.control.add_faults({"operation": STATUS, "error": "NoSuchEntity"})
    stuck = wait_terminal(
        request_deletion(
            slr(STAGING, "AWSServiceRoleForElasticLoadBalancing"), user=operator
        ).request,
        processes.workers,
    )
    assert stuck.state == "error"
    assert stuck.attempts.get().missing_checks == 3
    # GetRole: once before the submission (the binding), then once per status check.
    assert (calls(emulator, STATUS), calls(emulator, GET_ROLE)) == (3, 4)
    assert [level for level, _ in notes(operator)] == ["success", "success", "error"]
    assert [e.outcome for e in events("deletion.failed")] == ["failure"]
    record.injected = (
        "NoSuchEntity on DeleteServiceLinkedRole (once); a deletion task record that vanishes "
        "with its role; NoSuchEntity on every status call while the role still exists "
        "(ROLECALL_MISSING_TASK_CHECKS=2)"
    )
    record.outcome = (
        "already absent: SUCCEEDED with no poll; vanished record: GetRole confirmed the role gone, "
        "SUCCEEDED; role still present: 3 status calls and 3 GetRole checks, then error"
    )
    record.aws_calls = {
        "already absent": {DELETE: 1, STATUS: 0},
        "record vanished": {
            k: v for k, v in confirmed["operations"].items() if k.startswith("iam")
        },
        "role still present": {
            STATUS: calls(emulator, STATUS),
            GET_ROLE: calls(emulator, GET_ROLE),
        },
    }
    record.data_lost = not_terminal(absent, gone, stuck)
    assert record.data_lost == 0


def test_9_ten_seconds_of_latency_on_one_region_during_a_sync(
    fault_record, accounts, emulator, processes, operator
):
    record = fault_record(9, "10 s latency on one region during a sync")
    prod = accounts["acme-prod"]
    before = {
        r.region: (r.synced_at, set(r.clusters.values_list("arn", flat=True)))
        for r in EcsRegion.objects.filter(account=prod)
    }
    assert before["eu-west-1"][1]
    before_services = set(
        ServiceResource.objects.filter(
            region__account=prod, region__region="eu-west-1"
        ).values_list("arn", flat=True)
    )
    assert before_services  # the Classic load balancer, the DB instance, the recorder...
    processes.worker(ROLECALL_AWS_READ_TIMEOUT="2", ROLECALL_AWS_MAX_ATTEMPTS="1")
    emulator.control.set_latency(0, regions={"eu-west-1": 10_000})
    run = start_sync(prod, user=operator)
    wait_for(lambda: SyncRun.objects.get(pk=run.pk).status not in SyncRun.ACTIVE, timeout=40)
    run.refresh_from_db()

    assert run.status == SyncRun.Status.PARTIAL
    # ECS and every other service read in eu-west-1 (one key per service, "<region> <principal>").
    principals = set(ServiceRegion.objects.filter(account=prod).values_list("principal", flat=True))
    assert sorted(run.region_errors) == sorted(
        ["eu-west-1", *(f"eu-west-1 {p}" for p in principals)]
    )
    assert {e["code"] for e in run.region_errors.values()} == {"Timeout"}
    assert run.duration.total_seconds() < 10  # it did not wait for the slow region
    slow = EcsRegion.objects.get(account=prod, region="eu-west-1")
    assert slow.stale and slow.error["code"] == "Timeout"
    assert slow.synced_at == before["eu-west-1"][0]
    kept = set(EcsCluster.objects.filter(region=slow).values_list("arn", flat=True))
    assert kept == before["eu-west-1"][1]
    # The other services' eu-west-1 resources are kept too, marked stale.
    stale = ServiceRegion.objects.filter(account=prod, region="eu-west-1")
    assert stale.count() == len(principals) and all(r.stale for r in stale)
    assert (
        set(ServiceResource.objects.filter(region__in=stale).values_list("arn", flat=True))
        == before_services
    )
    for region in ("us-east-1", "ap-southeast-2"):
        fresh = EcsRegion.objects.get(account=prod, region=region)
        assert not fresh.stale and fresh.synced_at > before[region][0]
    counted = calls(emulator)
    # One call per read in eu-west-1: each stopped at its first timeout.
    assert sum(counted["by_region"]["eu-west-1"].values()) == 1 + len(principals)
    assert counted["by_region"]["eu-west-1"]["ecs:ListClusters"] == 1
    assert run.aws_calls == counted["total"]
    [(level, title)] = notes(operator)
    assert (level, title) == ("warning", "Sync of acme-prod finished with errors")
    [finished] = [e for e in events("sync.finished") if e.details["sync_run"] == run.pk]
    assert finished.outcome == "failure"
    assert finished.details["region_errors"]["eu-west-1"]["code"] == "Timeout"
    record.injected = (
        "10,000 ms latency on every eu-west-1 call (emulator); worker with a 2 s read timeout "
        "and 1 attempt per call"
    )
    record.outcome = (
        f"sync PARTIAL in {run.duration.total_seconds():.1f} s: us-east-1 and ap-southeast-2 "
        "synced, eu-west-1 timed out and kept its previous clusters marked stale; 1 warning "
        "notification"
    )
    record.aws_calls = {
        "total": counted["total"],
        "eu-west-1": counted["by_region"]["eu-west-1"],
        "PROD account": sum(counted["by_account"][PROD].values()),
    }
    record.data_lost = len(before["eu-west-1"][1] - kept)
    assert record.data_lost == 0

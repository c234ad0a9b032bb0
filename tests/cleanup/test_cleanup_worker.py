"""Cleanups in real worker processes: regions in parallel, and a worker killed mid-plan."""

from __future__ import annotations

import pytest

from roles.cleanup import plan as planning
from roles.cleanup.service import request_execution
from roles.models import AuditEvent, CleanupPlan, Notification
from tests.cleanup.test_cleanup import ecs_role
from tests.support.drive import redispatch_overdue
from tests.support.processes import CeleryWorker, celery_worker, wait_for

pytestmark = pytest.mark.worker
REGIONS = ["ap-southeast-2", "eu-west-1", "us-east-1"]


@pytest.fixture
def prod(sync_demo, transactional_db):
    from dashboard.celery import app

    app.control.purge()
    return sync_demo("acme-prod", regions=REGIONS)["acme-prod"]


def ended(plan: CleanupPlan):
    plan.refresh_from_db()
    return plan.state in CleanupPlan.FINISHED and plan


def test_regions_run_in_parallel_and_the_plan_succeeds(emulator, prod, operator):
    emulator.control.set_latency(40)
    with celery_worker(concurrency=3, ROLECALL_POLL_BACKOFF_CAP="1"):
        plan, _ = planning.build(ecs_role(prod), user=operator)
        request_execution(plan, user=operator)
        plan = wait_for(lambda: ended(plan), timeout=90, message="cleanup did not end")
    assert plan.state == "succeeded"
    rows = list(plan.regions.all())
    # Every region started before any finished: they ran side by side.
    assert max(r.started for r in rows) < min(r.finished for r in rows)
    made = emulator.control.calls()["operations"]
    assert (made["ecs:DeleteService"], made["ecs:DeleteCluster"]) == (9, 5)
    assert Notification.objects.get(user=operator).level == "success"


def test_a_killed_worker_resumes_without_repeating_a_finished_step(emulator, prod, operator):
    prod.regions = ["us-east-1"]
    prod.save(update_fields=["regions"])
    plan, _ = planning.build(ecs_role(prod), user=operator)
    services = plan.steps.filter(action="DeleteService").count()
    assert services == 5
    # The third DeleteService is carried out by AWS, then its answer is held back.
    emulator.control.add_faults(
        {"operation": "ecs:DeleteService", "delay_ms": 1000, "count": 2},
        {"operation": "ecs:DeleteService", "delay_ms": 30000, "count": 1},
    )
    # Short AWS timeouts make a short lease (roles/cleanup/run.py, lease_seconds), so
    # the dead worker's lease runs out within the test.
    first = CeleryWorker(
        concurrency=1, ROLECALL_AWS_CONNECT_TIMEOUT="1", ROLECALL_AWS_READ_TIMEOUT="5"
    )
    try:
        first.wait_ready()
        request_execution(plan, user=operator)
        wait_for(lambda: emulator.control.faults() == [], timeout=60, message="no third call")
        done_before = set(plan.steps.filter(status="done").values_list("pk", flat=True))
        first.kill()
    finally:
        first.stop()
    in_flight = plan.steps.filter(status="pending").order_by("order").first()
    assert in_flight.action == "DeleteService"
    assert plan.steps.filter(action="DeleteService", status="done").count() == 2
    assert len(done_before) == 5  # two services scaled down and deleted, a third scaled down

    # The dead worker's lease is live: nothing may take the region over yet.
    assert redispatch_overdue(grace=0) == []
    with celery_worker(concurrency=1, ROLECALL_POLL_BACKOFF_CAP="1"):
        # What the periodic sweep does for a region that shows no progress, once
        # the lease of the worker that stopped answering has expired.
        wait_for(
            lambda: redispatch_overdue(grace=0) == [(plan.pk, "us-east-1")],
            timeout=60,
            interval=0.5,
            message="the dead worker's lease never expired",
        )
        plan = wait_for(lambda: ended(plan), timeout=60, message="cleanup did not resume")
    assert plan.state == "succeeded"
    made = emulator.control.calls()["operations"]
    assert made["ecs:UpdateService"] == services  # never repeated
    assert made["ecs:DeleteService"] == services + 1  # only the unanswered one, once more
    assert made["ecs:DeregisterContainerInstance"] == 3
    assert made["ecs:DeleteCluster"] == 2
    # One audited AWS call per step, the unanswered one included (its record was lost).
    events = AuditEvent.objects.filter(action="cleanup.step")
    assert events.count() == plan.steps.count()
    for pk in done_before:
        step = plan.steps.get(pk=pk)
        assert step.attempts == 1

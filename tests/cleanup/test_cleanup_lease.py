"""Cleanup steps never hold a transaction or a row lock while AWS answers.

Each step is claimed in a short transaction (a lease on the region row), the
AWS call runs with no transaction open, and the outcome is recorded in a second
short transaction only while the lease is still the run's own
(roles/cleanup/run.py). These tests run the real region task against the
emulator, on transactional databases, with a second run in a thread of its own.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from botocore.httpsession import URLLib3Session
from django.db import connection
from django.test import Client
from django.utils import timezone

from emulator import restops
from roles.aws import ecs
from roles.cleanup import operation, run
from roles.models import AuditEvent, CleanupRegion, CleanupStep
from tests.support.drive import drive_cleanup, planned_and_queued, redispatch_overdue

# The SQLite pass of .ci/run runs this module too (docs/testing.md).
pytestmark = pytest.mark.engine

REGION = "us-east-1"
# The steps of the demo's prod account in us-east-1 (tests/cleanup/test_cleanup.py, DEMO).
SERVICES, INSTANCES, CLUSTERS = 5, 3, 2
# How long a parked thread may wait for the test to release it (seconds); far
# beyond what any step takes, only there so a failing test cannot hang.
PATIENCE = 60


@pytest.fixture(autouse=True)
def empty_queue():
    """Retries and drain checks publish to the test's Redis: nothing consumes them here."""
    from dashboard.celery import app

    app.control.purge()
    yield
    app.control.purge()


@pytest.fixture
def prod(sync_demo, transactional_db):
    return sync_demo("acme-prod", regions=[REGION])["acme-prod"]


def calls(emulator) -> dict[str, int]:
    return emulator.control.calls()["operations"]


def region_row(plan) -> CleanupRegion:
    return CleanupRegion.objects.get(plan=plan, region=REGION)


class RegionRun(threading.Thread):
    """run_region in a thread of its own, as a second worker would run it."""

    def __init__(self, plan, task_id: str) -> None:
        super().__init__(daemon=True)
        self.plan_id, self.task_id, self.error = plan.pk, task_id, None

    def run(self) -> None:
        try:
            run.run_region(self.plan_id, REGION, task_id=self.task_id)
        except BaseException as exc:  # noqa: BLE001 - reported by finish()
            self.error = exc
        finally:
            connection.close()

    def finish(self) -> None:
        self.join(PATIENCE)
        assert not self.is_alive(), "the region run never ended"
        assert self.error is None, repr(self.error)


def hold_call(monkeypatch, name: str, *, after: bool, nth: int = 1):
    """Park the thread making the nth call of roles.aws.ecs.<name>: before it reaches
    AWS (after=False) or once AWS has answered (after=True), until released."""
    real = getattr(ecs, name)
    seen, parked, release = [], threading.Event(), threading.Event()

    def held(*args, **kwargs):
        seen.append(threading.get_ident())
        if len(seen) != nth:
            return real(*args, **kwargs)
        if not after:
            parked.set()
            assert release.wait(PATIENCE)
        answer = real(*args, **kwargs)
        if after:
            parked.set()
            assert release.wait(PATIENCE)
        return answer

    monkeypatch.setattr(ecs, name, held)
    return parked, release


def _operation(request) -> str:
    target = request.headers.get("X-Amz-Target")
    if target:
        return (target.decode() if isinstance(target, bytes) else target).rsplit(".", 1)[-1]
    body = request.body or b""
    body = body.decode() if isinstance(body, bytes) else body
    action = parse_qs(body).get("Action")
    if action:
        return action[0]
    # A REST call (EKS, GuardDuty, Security Hub) names itself by method and path only:
    # the signing service is in the credential scope.
    auth = request.headers.get("Authorization", b"")
    auth = auth.decode() if isinstance(auth, bytes) else auth
    service = auth.split("Credential=")[1].split("/")[3]
    url = urlsplit(request.url)
    named = restops.match(service, request.method, url.path, parse_qs(url.query))
    return named[0] if named else "?"


def test_no_transaction_is_open_during_any_cleanup_aws_call(emulator, prod, operator, monkeypatch):
    """Every HTTP request to AWS the region task makes, the protect-tag re-reads and
    the closing inventory refresh included, finds no transaction open."""
    real_send = URLLib3Session.send
    seen: list[tuple[str, bool]] = []

    def send(self, request):
        seen.append((_operation(request), connection.in_atomic_block))
        return real_send(self, request)

    monkeypatch.setattr(URLLib3Session, "send", send)
    plan = drive_cleanup(planned_and_queued(prod, operator))

    assert plan.state == "succeeded"
    assert [(op, atomic) for op, atomic in seen if atomic] == []
    made = {op for op, _ in seen}
    cleanup_calls = {
        "AssumeRole",  # the region's client
        "DescribeClusters",  # the protect tags, re-read before touching a cluster
        "UpdateService",
        "DeleteService",
        "DeregisterContainerInstance",
        "DescribeServices",  # the drain check
        "DeleteCluster",
    }
    # The plan's fresh read of the region, and the inventory refresh once the plan ended.
    reads = {
        "GetCallerIdentity",
        "ListRoles",
        "GetRole",
        "ListAttachedRolePolicies",
        "ListPolicies",  # the policy versions: their documents are stored already
        "GenerateServiceLastAccessedDetails",
        "GetServiceLastAccessedDetails",
        "ListClusters",
        "ListServices",
        "ListContainerInstances",
        "DescribeContainerInstances",
        # What blocks prod's other roles (roles/aws/blockers.py).
        "DescribeLoadBalancers",
        "DescribeAutoScalingGroups",
        "DescribeDBInstances",
        "DescribeDBClusters",
        "DescribeCacheClusters",
        "DescribeReplicationGroups",
        "DescribeServerlessCaches",
        "ListDetectors",
        "DescribeHub",
        "DescribeConfigurationRecorders",
        "DescribeTrails",
        "ListEventDataStores",
    }
    assert made == cleanup_calls | reads, made ^ (cleanup_calls | reads)
    assert plan.resync.status == "succeeded"
    counted = calls(emulator)
    assert seen.count(("DeleteService", False)) == counted["ecs:DeleteService"] == SERVICES


def test_a_second_delivery_during_a_live_lease_leaves_without_an_aws_call(
    emulator, prod, operator, monkeypatch
):
    plan = planned_and_queued(prod, operator)
    parked, release = hold_call(monkeypatch, "scale_service_to_zero", after=False)
    first = RegionRun(plan, "first")
    first.start()
    try:
        assert parked.wait(PATIENCE), "the first run never reached its first step"
        row = region_row(plan)
        assert row.lease_token and row.lease_until > timezone.now()
        before, events = calls(emulator), AuditEvent.objects.count()

        run.run_region(plan.pk, REGION, task_id="second")

        assert calls(emulator) == before  # not one AWS call
        assert AuditEvent.objects.count() == events
        assert region_row(plan).lease_token == row.lease_token
        assert set(plan.steps.values_list("status", flat=True)) == {"pending"}
        started = plan.steps.get(attempts__gt=0)  # the first run's step, and only it
        assert started == plan.steps.order_by("order").first()
        assert (started.action, started.attempts) == ("UpdateService", 1)
        # While the lease is live the sweeper leaves the region alone too.
        assert redispatch_overdue(grace=0) == []
    finally:
        release.set()
        first.finish()
    plan.refresh_from_db()
    assert plan.state == "succeeded"
    made = calls(emulator)
    assert (made["ecs:UpdateService"], made["ecs:DeleteService"]) == (SERVICES, SERVICES)
    steps = AuditEvent.objects.filter(action="cleanup.step")
    assert steps.count() == plan.steps.count()
    assert set(steps.values_list("task_id", flat=True)) == {"first"}


def test_an_expired_lease_resumes_and_repeats_only_the_unfinished_step(
    emulator, prod, operator, monkeypatch
):
    """A worker that stops answering after AWS carried out its call, before it recorded
    the outcome: once its lease has expired, the next run repeats only that step, and
    the stale answer that arrives later is audited but does not overwrite anything."""
    plan = planned_and_queued(prod, operator)
    parked, release = hold_call(monkeypatch, "delete_service", after=True, nth=2)
    dead = RegionRun(plan, "dead")
    dead.start()
    try:
        assert parked.wait(PATIENCE), "the second DeleteService never answered"
        in_flight = plan.steps.filter(status="pending").order_by("order").first()
        assert (in_flight.action, in_flight.attempts) == ("DeleteService", 1)
        done_before = set(plan.steps.filter(status="done").values_list("pk", flat=True))
        # A service scaled down and deleted, a second scaled down: every step before it.
        assert done_before == set(
            plan.steps.filter(order__lt=in_flight.order).values_list("pk", flat=True)
        )
        assert len(done_before) == 3
        assert redispatch_overdue(grace=0) == []  # the lease is live

        # The lease's bound passes with no word from the worker.
        CleanupRegion.objects.filter(plan=plan, region=REGION).update(
            lease_until=timezone.now() - timedelta(seconds=1)
        )
        # What AWS answers for a service it has deleted already.
        emulator.control.add_faults(
            {
                "operation": "ecs:DeleteService",
                "error": "ServiceNotFoundException",
                "message": "Service not found.",
                "count": 1,
            }
        )
        monkeypatch.setattr(operation, "send_region", lambda *a, **k: True)
        assert redispatch_overdue(grace=0) == [(plan.pk, REGION)]
        plan = drive_cleanup(plan)
    finally:
        release.set()
        dead.finish()

    assert plan.state == "succeeded"
    made = calls(emulator)
    assert made["ecs:UpdateService"] == SERVICES  # never repeated
    assert made["ecs:DeleteService"] == SERVICES + 1  # only the unanswered one, once more
    assert made["ecs:DeregisterContainerInstance"] == INSTANCES
    assert made["ecs:DeleteCluster"] == CLUSTERS
    in_flight.refresh_from_db()
    assert (in_flight.status, in_flight.attempts) == ("done", 2)
    assert in_flight.note == "Already gone (ServiceNotFoundException)."
    for step in plan.steps.exclude(pk=in_flight.pk):
        assert step.attempts == 1, step
    # The dead run's late answer is audited as a call AWS carried out, and as not
    # recorded: the step keeps the outcome the run holding the lease wrote.
    late = AuditEvent.objects.get(
        action="cleanup.step", task_id="dead", details__step=in_flight.order
    )
    assert (late.outcome, late.details["result"]) == ("success", "done")
    assert late.details["note"].startswith("Not recorded: the region's lease passed")
    assert AuditEvent.objects.filter(action="cleanup.step", task_id="dead").count() == 4
    resumed = AuditEvent.objects.filter(action="cleanup.step", task_id="test")
    assert resumed.count() == plan.steps.count() - len(done_before)


def test_a_writer_is_not_blocked_while_a_slow_cleanup_call_is_in_flight(
    emulator, prod, operator, monkeypatch
):
    """On SQLite a transaction holds the whole database's write lock: a step that kept
    one open across a slow AWS call would stop this writer until AWS answered."""
    plan = planned_and_queued(prod, operator)
    real = ecs.delete_service
    in_flight, answered = threading.Event(), threading.Event()

    def slow(*args, **kwargs):
        if in_flight.is_set():
            return real(*args, **kwargs)
        # This one call is slow: the emulator adds latency to the region.
        emulator.control.set_latency(0, regions={REGION: 5000})
        in_flight.set()
        try:
            return real(*args, **kwargs)
        finally:
            answered.set()
            emulator.control.set_latency(0, regions={})

    monkeypatch.setattr(ecs, "delete_service", slow)
    worker = RegionRun(plan, "slow")
    worker.start()
    try:
        assert in_flight.wait(PATIENCE), "the region never reached DeleteService"
        AuditEvent.objects.record("audit.exported", actor_name="system", details={"n": 1})
        web = Client()
        web.force_login(operator)
        response = web.post("/notifications/read-all/")
        assert response.status_code == 302
        writes_done_while_in_flight = not answered.is_set()
    finally:
        worker.finish()
    assert writes_done_while_in_flight, "the writers waited for the AWS call to return"
    assert AuditEvent.objects.filter(action="notification.read").count() == 1
    plan = drive_cleanup(plan)
    assert plan.state == "succeeded"
    assert CleanupStep.objects.filter(plan=plan).exclude(status="done").count() == 0

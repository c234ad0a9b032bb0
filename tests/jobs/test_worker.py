"""The worker path end to end: broker, a real worker process, the database."""

import pytest

from roles.jobs.tasks import ping
from roles.models import HealthPing
from tests.support.processes import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.engine]


def test_a_real_worker_runs_the_health_task(worker):
    result = ping.delay()
    row = wait_for(
        lambda: HealthPing.objects.filter(task_id=result.id).first(),
        timeout=30,
        message="no HealthPing row from the worker:\n" + "".join(worker.output[-30:]),
    )
    assert row.hostname
    assert HealthPing.objects.count() == 1


def test_the_health_task_is_idempotent_on_its_task_id(db):
    ping.apply(task_id="same-id")
    ping.apply(task_id="same-id")
    assert HealthPing.objects.filter(task_id="same-id").count() == 1

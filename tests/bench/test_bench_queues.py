"""Changes never wait behind reads: every task that changes AWS goes to the `changes`
queue, the Procfiles start a worker for it alone, and the benchmark that runs the
Procfile's own worker lines (bench/queues.py) sees an approved deletion reach AWS
within a second while syncs are queued."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from bench.workers import option, procfile_workers
from dashboard.celery import app
from roles import jobs
from roles.cleanup.kind import REGION_TASK
from roles.deletion.kind import POLL_TASK, SUBMIT_TASK
from roles.inventory.sync.service import SYNC_TASK
from tests.support.bench import run_worker_bench
from tests.support.docs import doc_text

# Starts processes of its own: its file runs first (tests/conftest.py).
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
COMMAND = ".venv/bin/python -m bench.queues"
LAST = re.compile(
    r"deletion reached AWS after: ([\d.]+) s \(max of (\d+)\) with (\d+) syncs queued"
)


def queue_of(task: str) -> str:
    return app.amqp.router.route({}, task)["queue"].name


def test_every_task_that_changes_aws_goes_to_the_changes_queue():
    for task in (SUBMIT_TASK, POLL_TASK, REGION_TASK):
        assert queue_of(task) == jobs.CHANGES_QUEUE, task
    assert queue_of(SYNC_TASK) == jobs.SYNC_QUEUE
    assert queue_of("rolecall.health.ping") == jobs.DEFAULT_QUEUE


@pytest.mark.parametrize("procfile", ["Procfile", "Procfile.demo"])
def test_a_worker_takes_the_changes_queue_alone_and_every_queue_is_taken(procfile):
    workers = procfile_workers(ROOT / procfile)
    queues = {name: option(command, "--queues").split(",") for name, command in workers.items()}
    assert [jobs.CHANGES_QUEUE] in queues.values(), queues
    assert set(settings.CELERY_TASK_QUEUES) == {q for names in queues.values() for q in names}


@pytest.mark.worker
@pytest.mark.postgresql
def test_the_queue_benchmark_runs_as_the_readme_shows_it():
    assert f"`{COMMAND}`" in doc_text("performance.md")
    lines = run_worker_bench("queues", "--accounts", "60", "--repeat", "1")
    assert any(line.startswith("Procfile: worker --queues celery,sync") for line in lines)
    assert LAST.search(lines[-2]), lines[-2]  # the baseline (the old worker line)
    last = LAST.fullmatch(lines[-1])
    assert last, lines
    seconds, samples, queued = float(last.group(1)), int(last.group(2)), int(last.group(3))
    # The figure is the benchmark's to print (docs/performance.md), not a timed test's
    # to judge on a shared machine: here only that it measured with syncs waiting.
    assert samples == 1 and seconds > 0
    assert queued >= 30, lines  # most of the 60 syncs were still waiting

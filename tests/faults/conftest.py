"""Fixtures for the fault tests: private Redis, real workers and beat, result records.

Each fault test writes one JSON record (what was injected, the outcome, the AWS
calls the emulator counted, data lost) to var/reliability/; scripts/reliability_report.py
renders docs/reliability.md from them.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from roles.inventory.sync.service import run_sync
from roles.models import SyncRun
from tests.faults.broker import RedisServer, celery_broker
from tests.support.processes import ROOT, CeleryWorker, process_env

RESULTS = Path(settings.VAR_DIR) / "reliability"
# Workers in fault tests: polls back off 1 s at most, and the sweeper (when a
# worker runs it for beat) treats anything 1 s overdue as lost.
WORKER_ENV = {"ROLECALL_POLL_BACKOFF_CAP": "1", "ROLECALL_SWEEPER_GRACE": "1"}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.fault_passed = report.passed
    return report


@dataclass
class FaultRecord:
    number: int
    title: str
    injected: str = ""
    outcome: str = ""
    aws_calls: dict = field(default_factory=dict)
    data_lost: int | None = None
    passed: bool = False
    seconds: float = 0.0
    test: str = ""
    database: str = ""


@pytest.fixture
def fault_record(request):
    """Fill in number/title via record(...); written when the test ends (pass or fail)."""
    started = time.monotonic()
    holder: dict = {}

    def record(number: int, title: str) -> FaultRecord:
        holder["record"] = FaultRecord(number, title, test=request.node.nodeid)
        return holder["record"]

    yield record
    if "record" in holder:
        entry = holder["record"]
        entry.passed = bool(getattr(request.node, "fault_passed", False))
        entry.seconds = round(time.monotonic() - started, 1)
        entry.database = connection.vendor
        RESULTS.mkdir(parents=True, exist_ok=True)
        path = RESULTS / f"fault-{entry.number:02d}.json"
        path.write_text(json.dumps(asdict(entry), indent=2, sort_keys=True) + "\n")


@pytest.fixture
def redis_server(transactional_db):
    """A private redis-server; this process publishes to it for the test."""
    server = RedisServer().start()
    try:
        with celery_broker(server.url):
            yield server
    finally:
        server.close()


class Processes:
    """Workers and beat started by a test; all stopped at its end."""

    def __init__(self, redis: RedisServer) -> None:
        self.redis = redis
        self.workers: list[CeleryWorker] = []
        self.beats: list[subprocess.Popen] = []
        self.tmp = Path(tempfile.mkdtemp(prefix="rolecall-beat-"))

    def worker(self, **env: str) -> CeleryWorker:
        worker = CeleryWorker(**{**WORKER_ENV, "REDIS_URL": self.redis.url, **env})
        self.workers.append(worker)
        worker.wait_ready()
        return worker

    def beat(self, interval: int = 1) -> subprocess.Popen:
        """celery beat sending the sweeper every `interval` seconds (a worker runs it)."""
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "dashboard",
                "beat",
                "--loglevel",
                "WARNING",
                "--schedule",
                str(self.tmp / f"beat-{len(self.beats)}"),
            ],
            cwd=ROOT,
            env=process_env(REDIS_URL=self.redis.url, ROLECALL_SWEEPER_INTERVAL=str(interval)),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.beats.append(proc)
        return proc

    def stop(self) -> None:
        for proc in self.beats:
            if proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=20)
        for worker in self.workers:
            worker.stop()


@pytest.fixture
def processes(redis_server):
    procs = Processes(redis_server)
    try:
        yield procs
    finally:
        procs.stop()


@pytest.fixture
def accounts(emulator, demo_accounts, transactional_db):
    """The demo accounts synced (by this process, without the broker) on a few regions."""
    for name, regions in (
        ("acme-staging", ["us-east-1"]),
        ("acme-prod", ["us-east-1", "eu-west-1", "ap-southeast-2"]),
    ):
        account = demo_accounts[name]
        account.regions = regions
        account.save(update_fields=["regions"])
        run = SyncRun.objects.create(account=account)
        assert run_sync(run.pk).status == SyncRun.Status.SUCCEEDED
    emulator.control.reset_calls()
    return demo_accounts

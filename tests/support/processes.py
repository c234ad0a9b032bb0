"""Real processes for integration tests: a Celery worker on the test database.

The worker is a separate process with its own database connection (never the
test's), so it only sees what the test has committed: use it with
transactional_db / live_server.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def test_database_url() -> str:
    """DATABASE_URL naming the database this test run is using."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "127.0.0.1"
    port = db["PORT"] or 5432
    return f"postgres://{auth}@{host}:{port}/{db['NAME']}"


def process_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="dashboard.settings_test",
        DATABASE_URL=test_database_url(),
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def production_env(**extra: str) -> dict[str, str]:
    """The environment a deployment gives a process: dashboard.settings, none of the
    suite's ROLECALL_* or DEBUG settings, and never the .env a local `make run` wrote
    in the checkout (ROLECALL_ENV_FILE empty): `make test` right after `make run`
    must see what CI sees."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ROLECALL_", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"))
    }
    env.update(DJANGO_SETTINGS_MODULE="dashboard.settings", ROLECALL_ENV_FILE="", **extra)
    return env


class CeleryWorker:
    """A `celery worker` subprocess; its output is kept for failure messages."""

    def __init__(self, *, queues: str | None = None, concurrency: int = 1, **env: str) -> None:
        self.hostname = f"test-{uuid.uuid4().hex[:8]}@%h"
        args = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "dashboard",
            "worker",
            "--loglevel",
            "INFO",
            "--concurrency",
            str(concurrency),
            "--hostname",
            self.hostname,
            "--without-gossip",
            "--without-mingle",
        ]
        if queues:
            args += ["--queues", queues]
        self.output: list[str] = []
        self._ready = threading.Event()
        self.proc = subprocess.Popen(
            args,
            cwd=ROOT,
            env=process_env(**env),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.output.append(line)
            if " ready." in line:
                self._ready.set()

    def wait_ready(self, timeout: float = 60) -> None:
        if not self._ready.wait(timeout):
            self.stop()
            raise RuntimeError("Celery worker did not start:\n" + "".join(self.output[-40:]))

    def kill(self) -> None:
        """SIGKILL the whole process group, as a crashed machine would."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, 9)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


@contextmanager
def celery_worker(**kwargs) -> Iterator[CeleryWorker]:
    worker = CeleryWorker(**kwargs)
    try:
        worker.wait_ready()
        yield worker
    finally:
        worker.stop()


def wait_for(predicate, *, timeout: float = 30, interval: float = 0.1, message: str = ""):
    """Poll predicate until it returns a truthy value; fail with message on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(message or f"condition not met within {timeout}s")
        time.sleep(interval)

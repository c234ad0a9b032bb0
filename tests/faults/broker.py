"""A private redis-server per test, and pointing this process's Celery app at it.

Fault tests stop, flush and restart Redis; they do it to a server of their own
on a free port, never to the Redis the rest of the suite (or a demo) uses.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager

import redis
from kombu import pools


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """redis-server on 127.0.0.1:<free port>, nothing kept on disk; stop() and start() again."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.dir = tempfile.mkdtemp(prefix="rolecall-faults-redis-")
        self.proc: subprocess.Popen | None = None

    def start(self) -> RedisServer:
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                self.dir,
            ],
            stdout=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 10
        while not self.answers():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start on port {self.port}")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        self.proc = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def answers(self) -> bool:
        try:
            return bool(self.client(timeout=0.5).ping())
        except redis.RedisError:
            return False

    def client(self, timeout: float = 2) -> redis.Redis:
        return redis.Redis.from_url(
            self.url, socket_timeout=timeout, socket_connect_timeout=timeout
        )

    def messages(self, queue: str | None = None) -> int:
        """Messages waiting in the queue (by default every queue the app declares: changes,
        sync, celery) plus those reserved by a worker (not yet acknowledged)."""
        from django.conf import settings

        client = self.client()
        queues = [queue] if queue else list(settings.CELERY_TASK_QUEUES)
        return sum(client.llen(name) for name in queues) + client.hlen("unacked")


def _drop_connections(app) -> None:
    """Forget every broker connection, so the next publish connects to the current URL.

    kombu keeps its connection and producer pools in a global registry keyed by
    broker; closing a pool without clearing the registry would hand the closed
    pool back later, so both are reset together.
    """
    app._pool = None
    if "amqp" in app.__dict__:
        app.amqp._producer_pool = None
    pools.reset()


@contextmanager
def celery_broker(url: str) -> Iterator[None]:
    """Publish from this process to url for the block (views, services, the sweeper)."""
    from dashboard.celery import app

    saved = app.conf.broker_url
    _drop_connections(app)
    app.conf.broker_url = url
    try:
        yield
    finally:
        _drop_connections(app)
        app.conf.broker_url = saved

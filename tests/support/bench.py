"""Run a benchmark that starts the Procfile's workers (bench/queues.py, bench/campaign.py)
the way its line in docs/performance.md does, on a database and a Redis server of the test's own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from tests.faults.broker import RedisServer
from tests.support.processes import test_database_url as suite_database_url

ROOT = Path(__file__).resolve().parent.parent.parent


def run_worker_bench(module: str, *options: str, timeout: float = 280) -> list[str]:
    """`python -m bench.<module> <options>`: its stdout lines, once it exited 0 and left
    its Redis database empty."""
    parts = urlsplit(suite_database_url())
    name = f"/rolecall_bench_{module}_test_{os.getpid()}"
    database = urlunsplit(parts._replace(path=name))
    redis = RedisServer().start()
    try:
        result = subprocess.run(
            [sys.executable, "-m", f"bench.{module}", *options]
            + ["--database-url", database, "--redis-url", redis.url],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert redis.client().dbsize() == 0  # the benchmark purged its database
    finally:
        redis.close()
    return result.stdout.splitlines()

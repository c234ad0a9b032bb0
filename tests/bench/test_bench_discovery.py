"""The discovery benchmark of docs/performance.md runs as written (bench/discovery.py):
every call is one the 20-item pages need, and a discovery that finds nothing new makes as
many queries at 2,000 accounts as at 20."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.support.docs import doc_text

# Starts processes of its own: its file runs first (tests/conftest.py).
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
COMMAND = ".venv/bin/python -m bench.discovery"
LARGE = 60
LINE = re.compile(
    r"\s*(\d+) accounts, (first|again): +[\d.]+ s, +(\d+) calls \(fewest (\d+)\), +(\d+) queries"
)


def test_the_discovery_benchmark_runs_as_the_readme_shows_it():
    """At the smallest size that still pages every list (60 accounts: three pages of 20)
    and without latency; the working size is the command docs/performance.md shows."""
    assert f"`{COMMAND}`" in doc_text("performance.md")
    result = subprocess.run(
        [*COMMAND.split(), "--accounts", str(LARGE), "--latency-ms", "0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    rows = [LINE.fullmatch(line) for line in result.stdout.splitlines()[1:5]]
    assert all(rows), result.stdout
    found = {(int(m[1]), m[2]): (int(m[3]), int(m[4]), int(m[5])) for m in rows}
    assert set(found) == {(20, "first"), (20, "again"), (LARGE, "first"), (LARGE, "again")}
    for calls, fewest, _ in found.values():
        assert calls == fewest
    assert found[(LARGE, "again")][2] == found[(20, "again")][2]
    assert re.fullmatch(
        rf"time per account, {LARGE} against 20: ratio [\d.]+", result.stdout.splitlines()[-1]
    )

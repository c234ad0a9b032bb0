"""The sync benchmark runs as docs/performance.md shows it, on a small estate, and its calls are at
the minimum it computes (bench/sync.py): every call beyond it is a policy version read by
a second account before the first had stored it, and a second sync is exactly at it."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from emulator.policies import CATALOGUED
from tests.support.docs import doc_text

# Starts processes of its own: its file runs first (tests/conftest.py).
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
COMMAND = ".venv/bin/python -m bench.sync"
# --catalogue: every catalogue service's role in each account too, each read at its minimum.
SMALL = "--accounts 2 --regions 1 --clusters 2 --services 3 --instances 2 --roles 18 --catalogue"


def test_the_sync_benchmark_reaches_the_minimum_it_computes():
    assert f"`{COMMAND}`" in doc_text("performance.md")
    result = subprocess.run(
        [*COMMAND.split(), *SMALL.split(), "--skip-sequential", "--latency-ms", "0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    calls, minimum = map(int, re.search(r"AWS calls: +(\d+) +\(minimum (\d+)", out).groups())
    reads, versions = map(
        int, re.search(r"policy versions read: +(\d+) +\(minimum (\d+)", out).groups()
    )
    # 18 roles: the catalogue's 16 services, then Auto Scaling's policy again.
    assert versions == 16
    assert versions <= reads <= 2 * versions
    assert calls - minimum == reads - versions
    again = re.search(r"second sync .*?(\d+) calls +\(minimum (\d+); .*read: (\d+)", out)
    assert again, out
    assert int(again.group(1)) == int(again.group(2)) and again.group(3) == "0"
    assert re.search(r"2,000 accounts .*: [\d,]+ calls; N=1 ", out), out
    per_account = re.search(
        r"calls per account .*?([\d.]+) +\(minimum ([\d.]+) for the (\d+) roles", out
    )
    assert per_account, out
    assert per_account.group(1) == per_account.group(2)
    assert int(per_account.group(3)) >= 18 + len(CATALOGUED)

"""The reset benchmark of docs/performance.md runs as written and reports that a reset
keeps no memory worth the name (bench/resets.py)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.support.docs import doc_text

# Starts processes of its own: its file runs first (tests/conftest.py).
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
COMMAND = ".venv/bin/python -m bench.resets"


def test_the_reset_benchmark_runs_as_the_readme_shows_it():
    assert f"`{COMMAND}`" in doc_text("performance.md")
    result = subprocess.run(
        COMMAND.split(), cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("scenario demo: ")
    last = re.fullmatch(
        r"\s*40 resets: +([\d.]+) s per reset, (\d+) MB \(\+?(-?\d+) MB\)", lines[-1]
    )
    assert last, lines[-1]
    # 40 resets of the demo keep well under the 313 MB the AMI catalogue kept.
    assert int(last.group(3)) < 40

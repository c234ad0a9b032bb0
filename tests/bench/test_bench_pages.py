"""The page and load benchmarks (bench/pages.py, bench/load.py) run at a tiny size on
SQLite and print what they promise: a table of every page at both sizes with query
counts, the exports' rows and memory, and the last line docs/performance.md quotes."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

# Starts processes of its own: its file runs first (tests/conftest.py).
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
TINY = ["--accounts", "6", "--small-accounts", "3", "--roles-per-account", "5"]
TINY += ["--services", "30", "--instances", "6"]
NUMBER = r"[\d,]+(?:\.\d+)?"
PAGES = [
    "overview /",
    "accounts",
    "roles, first page",
    "roles, last page",
    "roles ?sort=-last_used",
    "roles ?sort=service",
    "roles ?verdict=blocked",
    "roles ?unused_days=400",
    "roles ?q=kestrel",
    "roles ?service=ecs",
    "big ECS role page",
    "its clusters, one region",
    "its cleanup plan",
    "deletions",
    "audit",
]


def run(module: str, tmp_path: Path, *args: str) -> list[str]:
    url = f"sqlite:///{tmp_path / 'bench.sqlite3'}"
    result = subprocess.run(
        [sys.executable, "-m", module, "--database-url", url, *TINY, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.splitlines()


def cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def number(text: str) -> float:
    return float(text.rstrip("*").replace(",", ""))


def test_the_page_benchmark_measures_every_page_at_both_sizes(tmp_path):
    lines = run("bench.pages", tmp_path, "--repeat", "1")
    assert lines[0] == f"database: sqlite (sqlite:///{tmp_path / 'bench.sqlite3'})"
    small = next(line for line in lines if line.startswith("small: "))
    large = next(line for line in lines if line.startswith("large: "))
    assert small.startswith("small: 3 accounts, 9 roles; ECS account: 10 services, 4 container")
    assert large.startswith("large: 6 accounts, 30 roles; ECS account: 30 services, 6 container")
    assert re.search(r"; cleanup plan of [\d,]+ steps built in [\d.]+s$", large)

    start = next(n for n, line in enumerate(lines) if line.startswith("| page "))
    end = next(n for n in range(start, len(lines)) if not lines[n].startswith("|"))
    rows = {cells(line)[0]: cells(line) for line in lines[start:end] if line.startswith("| ")}
    assert rows["page"] == [
        "page",
        "url (large)",
        "small ms",
        "large ms",
        "ratio",
        "queries s/l",
        "bytes large",
    ]
    for page in [*PAGES, "/roles/export.csv", "/roles/export.json"]:
        _, url, small_ms, large_ms, ratio, queries, size = rows[page]
        assert url.startswith("/"), page
        assert number(small_ms) > 0 and number(large_ms) > 0, page
        assert number(ratio) > 0, page
        assert re.fullmatch(r"\d+ / \d+", queries), page
        assert number(size) > 0, page
    for export in ("/roles/export.csv", "/roles/export.json", "overview, map by OU"):
        assert rows[export][4].endswith("*")  # linear by design: out of the worst ratio
    assert rows["overview, map by OU"][1] == "/?map=ou"
    assert re.fullmatch(r"/roles/\d+/", rows["big ECS role page"][1])
    clusters = rows["its clusters, one region"][1]
    assert re.fullmatch(r"/roles/\d+/clusters/\?region=[a-z0-9-]+", clusters)
    assert re.fullmatch(r"/cleanups/\d+/", rows["its cleanup plan"][1])

    exports = [line for line in lines if line.startswith("| /roles/export.")]
    assert len(exports) == 4  # in the pages table and in the exports table
    _, rows_sl, per_1000, megabytes, peak = cells(exports[-1])
    assert rows_sl == "9 / 30"
    assert re.fullmatch(rf"{NUMBER} / {NUMBER}", per_1000)
    assert re.fullmatch(rf"{NUMBER} / {NUMBER} MiB", peak)
    number(megabytes)

    last = re.fullmatch(r"worst ratio: (\d+\.\d\d) \((.+)\)", lines[-1])
    assert last, lines[-1]
    assert last.group(2) in PAGES


def test_the_load_benchmark_reports_throughput_at_both_sizes(tmp_path):
    # The smallest run that still takes every path: two clients, one gunicorn worker.
    options = ["--seconds", "3", "--clients", "2", "--workers", "1", "--threads", "2"]
    lines = run("bench.load", tmp_path, *options)
    rows = {cells(line)[0]: cells(line) for line in lines if line.startswith("| ")}
    assert rows["size"] == ["size", "roles", "requests", "requests/s", "p50 ms", "p95 ms", "errors"]
    for size, roles in (("small", "9"), ("large", "30")):
        _, count, requests, rate, p50, p95, errors = rows[size]
        assert count == roles
        assert number(requests) > 10 and number(rate) > 0
        assert 0 < number(p50) <= number(p95)
        assert errors == "0"
    for kind in ("role list", "role page", "audit"):
        assert re.fullmatch(rf"{NUMBER} / {NUMBER}", rows[kind][2]), kind
    last = re.fullmatch(r"throughput ratio: (\d+\.\d\d)", lines[-1])
    assert last, lines[-1]
    ratio = number(rows["large"][3]) / number(rows["small"][3])
    assert abs(float(last.group(1)) - ratio) < 0.05

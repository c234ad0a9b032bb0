"""Render docs/reliability.md from the fault tests' records.

Each test in tests/faults/ writes var/reliability/fault-NN.json (what was
injected, the outcome, the AWS calls the emulator counted, data lost). This
script turns the eleven records into the report; it refuses (exit 1, nothing
written) when a record is missing, a test failed or any data was lost.

    .venv/bin/pytest tests/faults && .venv/bin/python scripts/reliability_report.py
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FAULTS = range(1, 12)
COMMAND = ".venv/bin/pytest tests/faults && .venv/bin/python scripts/reliability_report.py"


def results_dir() -> Path:
    return Path(os.environ.get("ROLECALL_VAR_DIR") or ROOT / "var") / "reliability"


def load(directory: Path) -> tuple[list[dict], list[str]]:
    records, problems = [], []
    for number in FAULTS:
        path = directory / f"fault-{number:02d}.json"
        if not path.exists():
            problems.append(f"fault {number}: no record ({path.name}); run the fault tests")
            continue
        record = json.loads(path.read_text())
        if not record.get("passed"):
            problems.append(f"fault {number}: its test failed ({record.get('test')})")
        if record.get("data_lost") != 0:
            problems.append(f"fault {number}: data lost = {record.get('data_lost')}")
        records.append(record)
    return records, problems


def calls_text(calls: dict) -> str:
    def one(value) -> str:
        if isinstance(value, dict):
            return ", ".join(f"{k} {v}" for k, v in value.items()) or "none"
        return str(value)

    return "; ".join(f"{name}: {one(value)}" for name, value in calls.items()) or "none"


def cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render(records: list[dict], generated: str) -> str:
    databases = ", ".join(sorted({r.get("database") or "unknown" for r in records}))
    lines = [
        "# Reliability under faults",
        "",
        "Generated from the fault tests' records by `scripts/reliability_report.py`; do not",
        "edit by hand. Regenerate with:",
        "",
        "```sh",
        COMMAND,
        "```",
        "",
        "Every fault runs against real processes: `celery worker` subprocesses (and `celery",
        "beat` where the sweeper's schedule is part of the recovery), a private `redis-server`",
        "per test, the test database, and the AWS emulator with its fault switches. AWS calls",
        "are the emulator's own counts. Data lost counts deletion requests that never reached",
        "an end state (or ended with a second DeletionTaskId), sync runs left unfinished and,",
        "for the sync, previously synced clusters missing afterwards.",
        "",
        "The mechanisms: every operation is a database row; tasks re-read their row under a",
        "lock and act only from the state they expect (AWS returns the same DeletionTaskId",
        "while a task is unfinished); a failed publish is logged and the row stays; the",
        "sweeper on beat (`roles/jobs/sweeper.py`) re-sends anything overdue and gives up, with a",
        "notification and an audit event, after `ROLECALL_SWEEPER_MAX_DISPATCHES`; start-up",
        "refuses countdowns or time limits that are not well below the broker visibility",
        "timeout.",
        "",
        f"Last run: {generated} on {databases}, {len(records)} faults, "
        f"{sum(1 for r in records if r['passed'])} passed, "
        f"data lost {sum(r['data_lost'] or 0 for r in records)}.",
        "",
        "| # | fault | injected | outcome | AWS calls | data lost |",
        "|---|---|---|---|---|---|",
    ]
    for record in records:
        lines.append(
            f"| {record['number']} | {cell(record['title'])} | {cell(record['injected'])} | "
            f"{cell(record['outcome'])} | {cell(calls_text(record['aws_calls']))} | "
            f"{record['data_lost']} |"
        )
    lines += [
        "",
        "Tests: " + ", ".join(f"`{r['test']}` ({r['seconds']} s)" for r in records) + ".",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, default=results_dir())
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "reliability.md")
    args = parser.parse_args(argv)
    records, problems = load(args.results)
    if problems:
        for problem in problems:
            print(f"reliability report: {problem}", file=sys.stderr)
        return 1
    newest = max((args.results / f"fault-{r['number']:02d}.json").stat().st_mtime for r in records)
    generated = datetime.fromtimestamp(newest, UTC).strftime("%Y-%m-%d %H:%M UTC")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(render(records, generated))
    shown = args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output
    print(f"wrote {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

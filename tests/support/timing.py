"""Where the suite's time goes, printed at the end of every run (docs/testing.md): the
seconds spent (setup, call and teardown together) by kind of test and by file.

Each test is given its kind when collected (an item's user_properties travel with its
reports from pytest-xdist's processes), and the reports are added up as they arrive.
Under pytest-xdist the seconds are those of every process: they add up to several
times the wall time.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

import pytest

EMULATOR_TESTS = Path(__file__).resolve().parent.parent / "emulator"
KINDS = (
    ("browser", "Chromium (browser)"),
    ("faults", "processes: fault tests"),
    ("worker", "processes: a Celery worker"),
    ("slow", "processes: make run, benchmarks"),
)
EMULATOR = "the emulator over HTTP"
DATABASE = "the database only"
SHOWN_FILES = 15


def kind_of(item) -> str:
    for marker, kind in KINDS:
        if item.get_closest_marker(marker):
            return kind
    if EMULATOR_TESTS in item.path.parents or {"emulator", "emulator_process"} & set(
        item.fixturenames
    ):
        return EMULATOR
    return DATABASE


class Timing:
    def __init__(self) -> None:
        self.seconds: dict[str, Counter] = {"kind": Counter(), "file": Counter()}
        self.tests: dict[str, set[str]] = defaultdict(set)

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items) -> None:
        for item in items:
            item.user_properties.append(("kind", kind_of(item)))

    def pytest_runtest_logreport(self, report) -> None:
        kind = dict(report.user_properties).get("kind", DATABASE)
        self.seconds["kind"][kind] += report.duration
        self.seconds["file"][report.nodeid.split("::")[0]] += report.duration
        self.tests[kind].add(report.nodeid)

    def pytest_terminal_summary(self, terminalreporter) -> None:
        total = sum(self.seconds["kind"].values())
        if not total:
            return
        write = terminalreporter.write_line
        terminalreporter.section("where the time went (test-seconds)")
        for kind, seconds in self.seconds["kind"].most_common():
            tests = len(self.tests[kind])
            write(f"{seconds:8.0f} s {seconds / total:4.0%}  {tests:5d} tests  {kind}")
        write(f"{total:8.0f} s in all; the {SHOWN_FILES} slowest files:")
        for path, seconds in self.seconds["file"].most_common(SHOWN_FILES):
            write(f"{seconds:8.0f} s  {path}")


def pytest_configure(config) -> None:
    config.pluginmanager.register(Timing(), "rolecall-timing")

"""`make test` right after `make run` in the same checkout, as a new user runs the two
commands: the .env `make run` writes must not reach the suite's processes."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.test_make_run import DROPPED, ROOT, START_TIMEOUT, STOP_TIMEOUT, answers, free_port

# `make run` uses the demo's own SQLite database, never the suite's.
pytestmark = [pytest.mark.own_database, pytest.mark.slow]


def copy_of_the_checkout(to: Path) -> Path:
    """The working tree as it is (a clone would miss what is not committed yet), with
    the suite's own .venv; nothing of var/ or .env."""
    ignore = shutil.ignore_patterns(".git", ".venv", "var", ".env", "__pycache__", "*_cache")
    shutil.copytree(ROOT, to, ignore=ignore)
    (to / ".venv").symlink_to(ROOT / ".venv")
    return to


def test_make_test_passes_right_after_make_run_in_the_same_checkout(tmp_path):
    """`make run` writes .env (ROLECALL_DEMO=true) into the checkout; the suite's
    processes with production settings must never read it. The tests that start them
    run here, after a real `make run`, as a new user runs the two commands."""
    checkout = copy_of_the_checkout(tmp_path / "checkout")
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in DROPPED and not k.startswith(("PYTEST_", "ROLECALL_"))
    }
    ports = {"web": free_port(), "emulator": free_port(), "redis": free_port()}
    env.update(
        ROLECALL_PORT=str(ports["web"]),
        ROLECALL_EMULATOR_PORT=str(ports["emulator"]),
        REDIS_URL=f"redis://127.0.0.1:{ports['redis']}/0",
    )
    log = tmp_path / "make-run.log"
    with log.open("wb") as out:
        make = subprocess.Popen(
            ["make", "--no-print-directory", "-o", ".venv/.runtime", "run"],
            cwd=checkout,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not answers(f"http://127.0.0.1:{ports['web']}/login/"):
            assert make.poll() is None, log.read_text()
            assert time.monotonic() < deadline, f"make run did not start:\n{log.read_text()}"
            time.sleep(0.5)
    finally:
        os.killpg(make.pid, signal.SIGTERM)
        make.wait(timeout=STOP_TIMEOUT)
    assert "ROLECALL_DEMO=true" in (checkout / ".env").read_text()
    tests = [
        "tests/access/test_hardening.py::test_check_deploy_is_clean_with_production_settings",
        "tests/access/test_hardening.py::test_production_cookies_and_transport",
        "tests/approval/test_approval.py::test_approval_is_on_by_default_in_production_settings",
        "tests/audit/test_record_settings.py::test_the_command_records_the_environment_of_a_real_start",
        "tests/test_settings.py",
    ]
    result = subprocess.run(
        ["make", "--no-print-directory", "-o", ".venv/.dev", "-o", ".venv/.runtime", "test"]
        + [f"PYTEST_ARGS=-p no:cacheprovider -n 0 {' '.join(tests)}"],
        cwd=checkout,
        env={**env, "REDIS_URL": f"redis://127.0.0.1:{free_port()}/13"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    assert " passed" in result.stdout and "failed" not in result.stdout

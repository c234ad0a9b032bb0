"""The command line: ready line, one-line errors with exit status 2, clean shutdown."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from emulator.testing import EmulatorProcess

ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "emulator", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    "args, expected",
    [
        (["--scenario", "nope"], "invalid choice: 'nope'"),
        (["--port", "not-a-number"], "--port"),
        (["--port", "70000"], "--port"),
        (["--latency-ms", "-5"], "--latency-ms"),
        (["--bogus"], "unrecognized arguments: --bogus"),
        (["--scenario", "demo", "--accounts", "3"], "--accounts only applies to --scenario large"),
        (["--scenario", "large", "--regions", "40"], "regions must be an integer from 1 to 17"),
        (["--deletion-seconds", "1", "--deletion-polls", "2"], "not both"),
    ],
)
def test_bad_arguments_one_line_exit_2(args, expected):
    result = run_cli(*args)
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("rolecall emulator: error: ")
    assert expected in lines[0]
    assert result.stdout == ""


def test_busy_port_one_line_exit_2():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        result = run_cli("--port", str(port), "--scenario", "empty")
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0] == (
        f"rolecall emulator: error: cannot listen on 127.0.0.1:{port}: Address already in use"
    )


def test_ready_line_health_and_clean_exit():
    process = EmulatorProcess("empty", "--latency-ms", "5")
    with process:
        assert process.url.startswith("http://127.0.0.1:")
        assert process.control.health() == {"ok": True, "scenario": "empty"}
        assert process.control.set_latency(5)["ms"] == 5
        process.process.send_signal(signal.SIGINT)
        assert process.process.wait(10) == 0
    with EmulatorProcess("empty") as process:
        process.stop()  # SIGTERM
        assert process.process.returncode == 0


def test_ready_line_is_the_only_stdout_line():
    proc = subprocess.Popen(
        [sys.executable, "-m", "emulator", "--port", "0", "--scenario", "empty"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        assert line.startswith("rolecall emulator listening on http://127.0.0.1:")
        assert line.rstrip().endswith(" (scenario empty)")
        url = line.split()[4]
        with urllib.request.urlopen(f"{url}/_emulator/health", timeout=10) as response:
            assert response.status == 200
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=10)
    assert proc.returncode == 0
    assert out == ""

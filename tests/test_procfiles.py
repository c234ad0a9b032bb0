"""The Procfiles: production never starts the emulator, and gunicorn's control
socket is off, so two instances on one host cannot break each other's."""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"


def processes(name: str) -> dict[str, str]:
    lines = (ROOT / name).read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip())


def test_production_procfile_does_not_start_the_emulator():
    production = processes("Procfile")
    assert set(production) == {"web", "worker", "changes", "beat"}
    assert not any("emulator" in command for command in production.values())
    assert "python -m emulator" in processes("Procfile.demo")["aws"]


@pytest.mark.parametrize("procfile", ["Procfile", "Procfile.demo"])
def test_web_process_turns_gunicorns_control_socket_off(procfile):
    assert "--no-control-socket" in processes(procfile)["web"].split()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serving(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (OSError, urllib.error.HTTPError):
        return False


def start_web(command: str, home: Path, var: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    command = command.replace("127.0.0.1:${ROLECALL_PORT:-8000}", "127.0.0.1:8000")
    command = command.replace("--bind 127.0.0.1:8000", f"--bind 127.0.0.1:{port}")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(HOME=str(home), ROLECALL_VAR_DIR=str(var), PATH=f"{BIN}:{env['PATH']}")
    process = subprocess.Popen(
        ["/bin/sh", "-c", f"exec {command}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    return process, f"http://127.0.0.1:{port}/login/"


def wait_serving(process: subprocess.Popen, url: str) -> None:
    deadline = time.monotonic() + 60
    while not serving(url):
        assert process.poll() is None, "gunicorn exited"
        assert time.monotonic() < deadline, "gunicorn did not serve"
        time.sleep(0.2)


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def test_two_gunicorns_from_the_procfile_share_no_control_socket(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    command = processes("Procfile")["web"]
    # Without the option, gunicorn 27 listens on one per-user path for every instance.
    default, url = start_web(command.replace(" --no-control-socket", ""), home, tmp_path)
    try:
        wait_serving(default, url)
        deadline = time.monotonic() + 10
        while not (home / ".gunicorn" / "gunicorn.ctl").exists():
            assert time.monotonic() < deadline, "gunicorn made no control socket by default"
            time.sleep(0.1)
    finally:
        stop(default)
    (home / ".gunicorn" / "gunicorn.ctl").unlink(missing_ok=True)

    first, first_url = start_web(command, home, tmp_path)
    second, second_url = start_web(command, home, tmp_path)
    try:
        wait_serving(first, first_url)
        wait_serving(second, second_url)
        time.sleep(1)
        assert not (home / ".gunicorn" / "gunicorn.ctl").exists()
        assert serving(first_url) and serving(second_url)
    finally:
        stop(first)
        stop(second)

"""`make run` for real: every stop signal ends everything it started, nothing left behind.

Each case starts `make run` in its own process group with its own ports, Redis
(started by scripts/with_redis.py), var/ and temporary directory, waits until
the dashboard and the emulator answer, sends one signal to make alone or to the
whole group, and then checks within a bounded time that no process of the tree
(honcho, gunicorn, celery, the emulator, redis-server) is left and that no
`rolecall-redis-*` folder remains. It also checks that the demo database
starts afresh and the demo logins use the password kept in var/.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

# `make run` uses the demo's own SQLite database, never the suite's.
pytestmark = [pytest.mark.own_database, pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 180
# run.py gives honcho 30 s before killing it, and with_redis.py gives Redis 10 s:
# the stop is bounded by about 40 s even when a process hangs.
STOP_TIMEOUT = 60
# Settings this test must not inherit from the suite's own environment.
DROPPED = (
    "DJANGO_SETTINGS_MODULE",
    "DATABASE_URL",
    "SECRET_KEY",
    "SECRET_KEY_FILE",
    "ALLOWED_HOSTS",
    "ROLECALL_SECURE",
    "ROLECALL_REQUIRE_APPROVAL",
    "AWS_ENDPOINT_URL",
    "DEMO_PASSWORD",
    "MAKEFLAGS",
    "MFLAGS",
    "MAKELEVEL",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (OSError, urllib.error.HTTPError):
        return False


def children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        tree.setdefault(int(fields[1]), []).append(int(entry.name))
    return tree


def start_time(pid: int) -> str | None:
    """The process's start time, so a reused pid is never mistaken for it."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()
    if fields[0] == "Z":
        return None
    return fields[19]


def descendants(root: int) -> dict[int, str]:
    tree, found, todo = children(), {}, [root]
    while todo:
        pid = todo.pop()
        started = start_time(pid)
        if started is not None:
            found[pid] = started
        todo.extend(tree.get(pid, []))
    return found


def command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def alive(processes: dict[int, str]) -> dict[int, str]:
    return {pid: command(pid) for pid, started in processes.items() if start_time(pid) == started}


@pytest.fixture
def demo(tmp_path):
    ports = {"web": free_port(), "emulator": free_port(), "redis": free_port()}
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    var = tmp_path / "var"
    var.mkdir()
    # A database left by an earlier run: the demo must start afresh (as the emulator does).
    with sqlite3.connect(var / "rolecall.sqlite3") as db:
        db.execute("CREATE TABLE leftover_from_an_earlier_run (id integer)")
    env = {k: v for k, v in os.environ.items() if k not in DROPPED}
    env.update(
        ROLECALL_PORT=str(ports["web"]),
        ROLECALL_EMULATOR_PORT=str(ports["emulator"]),
        REDIS_URL=f"redis://127.0.0.1:{ports['redis']}/0",
        ROLECALL_VAR_DIR=str(var),
        ROLECALL_ENV_FILE=str(tmp_path / ".env"),
        TMPDIR=str(tmp),
    )
    started: dict[int, str] = {}
    log = tmp_path / "make-run.log"

    def start() -> subprocess.Popen:
        with log.open("wb") as out:
            make = subprocess.Popen(
                # -o: never reinstall requirements from a test (the suite's own
                # `make test` has just brought .venv up to date).
                ["make", "--no-print-directory", "-o", ".venv/.runtime", "run"],
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        web = f"http://127.0.0.1:{ports['web']}/login/"
        emulator = f"http://127.0.0.1:{ports['emulator']}/_emulator/health"
        deadline = time.monotonic() + START_TIMEOUT
        while not (answers(web) and answers(emulator)):
            assert make.poll() is None, log.read_text()
            assert time.monotonic() < deadline, f"make run did not start:\n{log.read_text()}"
            time.sleep(0.5)
        # Let honcho's processes settle (gunicorn and celery fork their workers).
        time.sleep(2)
        started.update(descendants(make.pid))
        started[make.pid] = start_time(make.pid)
        return make

    yield start, started, ports, tmp, var, log
    for pid in alive(started):  # only if the test failed: clean up what it started
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def states(processes: dict[int, str]) -> str:
    """Each process left, with its state and what it waits in, to say why a stop hung."""
    lines = []
    for pid, cmd in processes.items():
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
            wchan = Path(f"/proc/{pid}/wchan").read_text()
        except OSError:
            continue
        lines.append(f"{pid} {stat[stat.rindex(')') + 2]} {wchan} {cmd}")
    return "\n".join(lines)


def names(processes: dict[int, str]) -> str:
    return " ".join(sorted(processes.values()))


@pytest.mark.parametrize(
    "target, signum",
    [
        ("make", signal.SIGTERM),
        ("make", signal.SIGINT),
        ("make", signal.SIGHUP),
        ("group", signal.SIGTERM),
        ("group", signal.SIGINT),
        ("group", signal.SIGHUP),
    ],
    ids=lambda value: getattr(value, "name", value),
)
def test_make_run_stops_everything_it_started(demo, target, signum):
    start, started, ports, tmp, var, log = demo
    make = start()
    running = names(alive(started))
    for program in ("honcho", "gunicorn", "celery", "emulator", "redis-server"):
        assert program in running, f"{program} not running: {running}"
    assert list(tmp.glob("rolecall-redis-*"))
    # The emulator starts from its demo scenario, and so does the demo database.
    with sqlite3.connect(var / "rolecall.sqlite3") as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    assert "leftover_from_an_earlier_run" not in tables and "auth_user" in tables
    password = (var / "demo_password").read_text().strip()
    assert f"password: {password}" in log.read_text()

    if target == "make":
        os.kill(make.pid, signum)
    else:
        os.killpg(make.pid, signum)
    try:
        make.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        pytest.fail(f"make still running: {states(alive(started))}\n{log.read_text()[-6000:]}")
    deadline = time.monotonic() + STOP_TIMEOUT
    while alive(started) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert alive(started) == {}, f"still running: {names(alive(started))}\n{log.read_text()}"
    assert list(tmp.glob("rolecall-redis-*")) == []
    assert not answers(f"http://127.0.0.1:{ports['web']}/login/")

"""Run a command with a Redis answering at REDIS_URL.

If nothing answers there and redis-server is installed, start one for the
duration of the command (nothing kept on disk) and stop it afterwards. Used by
`make run` and `make test`.

    python scripts/with_redis.py -- COMMAND [ARGS...]

SIGTERM or SIGHUP is passed on to the command; once it has exited, the Redis
started here is stopped and its temporary folder removed.

GNU make passes only SIGTERM on to its recipe: given SIGINT or SIGHUP alone
(not through the terminal's process group) it blocks that signal and waits
for the recipe to end, which a server never does. So, on Linux, this process
also stops as if sent SIGTERM when its parent make is in that state (the
signal shows in make's blocked set, /proc/PID/status SigBlk), or when its
parent dies (PR_SET_PDEATHSIG).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_URL = "redis://127.0.0.1:6379/0"
PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Have the kernel send SIGTERM to this process when its parent exits (Linux only)."""
    parent = os.getppid()
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the request was in place
        os.kill(os.getpid(), signal.SIGTERM)


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def parent_make_is_stopping(parent: int) -> bool:
    """True when make (our parent) handles a stop signal and is waiting for us."""
    try:
        if Path(f"/proc/{parent}/comm").read_text().strip() != "make":
            return False
        status = Path(f"/proc/{parent}/status").read_text()
    except OSError:
        return False
    blocked = next(
        (line.split()[1] for line in status.splitlines() if line.startswith("SigBlk:")), "0"
    )
    mask = int(blocked, 16)
    return any(mask & (1 << (signum - 1)) for signum in STOP_SIGNALS)


def watch_parent() -> None:
    """SIGTERM to this process once its parent is gone or is a make that is stopping."""
    parent = os.getppid()

    def watch() -> None:
        stopping_seen = 0
        while True:
            if os.getppid() != parent:
                break
            # make may block signals for an instant around starting a job: only a
            # mask that stays set across two looks is make waiting to stop.
            stopping_seen = stopping_seen + 1 if parent_make_is_stopping(parent) else 0
            if stopping_seen >= 2:
                break
            time.sleep(0.25)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, daemon=True, name="watch-parent").start()


def answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith((b"+PONG", b"-NOAUTH"))
    except OSError:
        return False


def start_redis(host: str, port: int, workdir: str) -> subprocess.Popen:
    proc = subprocess.Popen(
        [
            "redis-server",
            "--bind",
            host,
            "--port",
            str(port),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            workdir,
        ],
        stdout=subprocess.DEVNULL,
        # Its own session: Ctrl-C must stop the app first, then Redis (below).
        start_new_session=True,
        # Should this process be killed outright, Redis stops too.
        preexec_fn=die_with_parent,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if answers(host, port):
            return proc
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    proc.kill()
    proc.wait()
    raise SystemExit(f"redis-server did not start on {host}:{port}.")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main(argv: list[str]) -> int:
    if "--" not in argv:
        print("usage: with_redis.py -- COMMAND [ARGS...]", file=sys.stderr)
        return 2
    command = argv[argv.index("--") + 1 :]
    url = os.environ.get("REDIS_URL") or DEFAULT_URL
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 6379
    child: subprocess.Popen | None = None
    stopping: list[int] = []

    def forward(signum, frame):
        stopping.append(signum)
        # Ctrl-C goes to the whole foreground process group, the child included;
        # every other signal is passed on. (A Python handler, not SIG_IGN: an
        # ignored signal would stay ignored in every program the child starts.)
        if child is not None and child.poll() is None and signum != signal.SIGINT:
            child.send_signal(signum)

    for signum in STOP_SIGNALS:
        signal.signal(signum, forward)
    die_with_parent()
    watch_parent()
    redis = None
    workdir = None
    try:
        if not answers(host, port):
            if host not in {"127.0.0.1", "localhost", "::1"}:
                raise SystemExit(f"No Redis answers at {url}; start it or set REDIS_URL.")
            if not shutil.which("redis-server"):
                raise SystemExit(
                    f"No Redis answers at {url}. Install redis-server "
                    "(apt-get install redis-server) or set REDIS_URL to a running Redis."
                )
            print(f"Starting redis-server on {host}:{port} for this run.", flush=True)
            workdir = tempfile.mkdtemp(prefix="rolecall-redis-")
            redis = start_redis(host, port, workdir)
        if stopping:
            return 128 + stopping[0]
        child = subprocess.Popen(command)
        if stopping and stopping[0] != signal.SIGINT:  # arrived while the child started
            child.send_signal(stopping[0])
        return child.wait()
    finally:
        if child is not None and child.poll() is None:
            stop(child)
        if redis is not None:
            stop(redis)
        if workdir is not None:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

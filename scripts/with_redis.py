"""Run a command with a Redis answering at REDIS_URL.

If nothing answers there and redis-server is installed, start one for the
duration of the command (nothing kept on disk) and stop it afterwards. Used by
`make run` and `make test`.

    python scripts/with_redis.py -- COMMAND [ARGS...]
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from urllib.parse import urlsplit

DEFAULT_URL = "redis://127.0.0.1:6379/0"


def answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith((b"+PONG", b"-NOAUTH"))
    except OSError:
        return False


def start_redis(host: str, port: int) -> subprocess.Popen:
    workdir = tempfile.mkdtemp(prefix="rolecall-redis-")
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
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if answers(host, port):
            return proc
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    proc.kill()
    sys.exit(f"redis-server did not start on {host}:{port}.")


def main(argv: list[str]) -> int:
    if "--" not in argv:
        print("usage: with_redis.py -- COMMAND [ARGS...]", file=sys.stderr)
        return 2
    command = argv[argv.index("--") + 1 :]
    url = os.environ.get("REDIS_URL") or DEFAULT_URL
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 6379
    redis = None
    if not answers(host, port):
        if host not in {"127.0.0.1", "localhost", "::1"}:
            sys.exit(f"No Redis answers at {url}; start it or set REDIS_URL.")
        if not shutil.which("redis-server"):
            sys.exit(
                f"No Redis answers at {url}. Install redis-server "
                "(apt-get install redis-server) or set REDIS_URL to a running Redis."
            )
        print(f"Starting redis-server on {host}:{port} for this run.", flush=True)
        redis = start_redis(host, port)
    # Ctrl-C goes to the whole foreground process group; the child handles it
    # and this process waits for it. A Python handler, not SIG_IGN: an ignored
    # signal would stay ignored in every program the child starts.
    signal.signal(signal.SIGINT, lambda signum, frame: None)
    try:
        return subprocess.call(command)
    finally:
        if redis is not None:
            redis.terminate()
            redis.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

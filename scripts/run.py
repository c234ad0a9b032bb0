"""`make run`: prepare the demo and start every Procfile.demo process under honcho.

Demo defaults (each can be overridden from the environment): the local
emulator as the AWS endpoint with dummy credentials, demo users with a password
kept under var/, a random SECRET_KEY kept under var/.

The emulator's AWS state lives in memory and starts from its demo scenario at
every run, so the demo database (the SQLite file under var/) starts afresh too:
otherwise roles deleted in an earlier run would come back flagged "recreated".
A database named by DATABASE_URL is never reset.

The settings a management command needs are written to `.env` at the project
root (dashboard/settings.py reads it), so `.venv/bin/python manage.py ...`
works as the docs show once `make run` has run.

SIGINT, SIGTERM or SIGHUP stops honcho, which stops every process it started.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PR_SET_PDEATHSIG = 1
# What a management command needs to run against the demo (written to .env).
DOTENV_KEYS = (
    "SECRET_KEY_FILE",
    "ALLOWED_HOSTS",
    "ROLECALL_DEMO",
    "ROLECALL_VAR_DIR",
    "AWS_ENDPOINT_URL",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_DEFAULT_REGION",
    "REDIS_URL",
)


class Stop(Exception):
    """A stop signal arrived."""


def var_dir() -> Path:
    path = Path(os.environ.get("ROLECALL_VAR_DIR") or ROOT / "var")
    return path if path.is_absolute() else ROOT / path


def dotenv_path() -> Path:
    return Path(os.environ.get("ROLECALL_ENV_FILE") or ROOT / ".env")


def private_dir(path: Path) -> Path:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def write_private(path: Path, text: str) -> None:
    """Write a file only its owner can read, from the moment it exists."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)


def kept_secret(path: Path, make) -> str:
    if not path.exists():
        write_private(path, make())
    return path.read_text().strip()


def demo_password(var: Path) -> str:
    """DEMO_PASSWORD, or one generated once and kept in var/demo_password."""
    given = os.environ.get("DEMO_PASSWORD", "").strip()
    if given:
        return given
    return kept_secret(var / "demo_password", lambda: secrets.token_urlsafe(9))


def demo_environment() -> dict[str, str]:
    var = private_dir(var_dir())
    key_file = var / "secret_key"
    kept_secret(key_file, lambda: secrets.token_urlsafe(50))
    env = dict(os.environ)
    if "SECRET_KEY" not in env:
        env.setdefault("SECRET_KEY_FILE", str(key_file))
    env.setdefault("ROLECALL_PORT", "8000")
    emulator_port = env.setdefault("ROLECALL_EMULATOR_PORT", "4566")
    env.setdefault("ROLECALL_DEMO", "true")
    env.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
    env.setdefault("AWS_ENDPOINT_URL", f"http://127.0.0.1:{emulator_port}")
    env.setdefault("AWS_ACCESS_KEY_ID", "demo")
    env.setdefault("AWS_SECRET_ACCESS_KEY", "demo")
    env.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONUNBUFFERED"] = "1"
    return env


def write_dotenv(env: dict[str, str], path: Path) -> None:
    """The demo's settings for management commands; the environment still wins."""
    lines = [
        "# Written by `make run` (scripts/run.py) for `.venv/bin/python manage.py ...`;",
        "# variables set in the environment take precedence. Delete it to leave demo mode.",
    ]
    key_file = env.get("SECRET_KEY_FILE") or str(var_dir() / "secret_key")
    for key in DOTENV_KEYS:
        value = key_file if key == "SECRET_KEY_FILE" else env.get(key)
        if value:
            lines.append(f"{key}={value}")
    write_private(path, "\n".join(lines) + "\n")


def reset_demo_database(env: dict[str, str]) -> None:
    """Start the demo database afresh, as the emulator's state is (see the docstring)."""
    if env.get("DATABASE_URL", "").strip():
        print("DATABASE_URL is set: that database is kept as it is.", flush=True)
        return
    database = var_dir() / "rolecall.sqlite3"
    for suffix in ("", "-journal", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([str(BIN / "python"), "manage.py", *args], cwd=ROOT, env=env, check=True)


def wait_for_emulator(url: str, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_emulator/health", timeout=2):
                return True
        except OSError:
            time.sleep(0.5)
    return False


def die_with_parent() -> None:
    """SIGTERM to this process when its parent exits (Linux), so nothing outlives it."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):
        pass


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def start_honcho(env: dict[str, str]) -> subprocess.Popen:
    def in_child() -> None:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
        die_with_parent()

    return subprocess.Popen(
        # The settings read .env themselves; honcho's own reading would let
        # it override the environment.
        [str(BIN / "honcho"), "start", "-f", "Procfile.demo", "--env", os.devnull],
        cwd=ROOT,
        env=env,
        # Its own session: a signal to make's process group reaches this
        # process, which stops honcho (honcho itself knows no SIGHUP).
        start_new_session=True,
        preexec_fn=in_child,
    )


def main() -> int:
    stopping: list[int] = []

    def on_signal(signum, frame):
        stopping.append(signum)
        if len(stopping) == 1:
            raise Stop

    for signum in STOP_SIGNALS:
        signal.signal(signum, on_signal)
    parent = os.getppid()
    die_with_parent()
    if os.getppid() != parent:
        return 1
    honcho = None
    try:
        env = demo_environment()
        reset_demo_database(env)
        # Migrate, close the syncs a stopped stack left (with DATABASE_URL set the
        # database is kept), record the settings, collect the static files and create
        # the demo users: one process (roles/management/commands/prepare_demo.py).
        manage({**env, "DEMO_PASSWORD": demo_password(var_dir())}, "prepare_demo")
        write_dotenv(env, dotenv_path())
        print(
            f"rolecall is starting at http://127.0.0.1:{env['ROLECALL_PORT']} "
            "(Ctrl-C stops everything).",
            flush=True,
        )
        # Signals wait until honcho is known here, so a stop never misses it.
        signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        try:
            honcho = start_honcho(env)
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
        # The demo accounts' first sync needs the emulator answering.
        if wait_for_emulator(env["AWS_ENDPOINT_URL"]):
            manage(env, "demo_accounts")
        else:
            print("The emulator did not answer; demo accounts not set up.", file=sys.stderr)
        return honcho.wait()
    except Stop:
        return 128 + stopping[0]
    except subprocess.CalledProcessError as error:
        return error.returncode or 1
    finally:
        if honcho is not None and honcho.poll() is None:
            honcho.terminate()  # honcho stops its processes, SIGKILL after 5 s
            try:
                honcho.wait(timeout=30)
            except subprocess.TimeoutExpired:
                honcho.kill()
                honcho.wait()


if __name__ == "__main__":
    sys.exit(main())

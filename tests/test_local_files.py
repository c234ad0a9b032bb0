"""What rolecall keeps on local disk: private var/ and database, .env, the demo password,
and the management commands the README and docs/ show working after `make run` as written."""

from __future__ import annotations

import importlib.util
import os
import re
import select
import shlex
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db.utils import ConnectionHandler

from dashboard import env
from tests.support.docs import all_docs_text

# Starts processes of its own: its file runs first (tests/conftest.py).
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
# Settings of the suite's own environment a fresh shell would not have.
DROPPED = {
    "DJANGO_SETTINGS_MODULE",
    "DATABASE_URL",
    "SECRET_KEY",
    "SECRET_KEY_FILE",
    "ALLOWED_HOSTS",
    "ROLECALL_SECURE",
    "ROLECALL_REQUIRE_APPROVAL",
    "ROLECALL_ENV_FILE",
    "ROLECALL_VAR_DIR",
    "DEMO_PASSWORD",
}


def run_script():
    spec = importlib.util.spec_from_file_location("rolecall_run", ROOT / "scripts" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def fresh_env(**extra: str) -> dict[str, str]:
    environ = {k: v for k, v in os.environ.items() if k not in DROPPED}
    environ.update(extra)
    return environ


def manage(*args: str, environ: dict[str, str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=lambda: os.umask(0o022),
        **kwargs,
    )


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_var_dir_database_and_secret_key_are_created_private(tmp_path):
    var = tmp_path / "var"
    result = manage(
        "migrate",
        "-v",
        "0",
        environ=fresh_env(ROLECALL_VAR_DIR=str(var), DEBUG="true", ROLECALL_ENV_FILE=""),
    )
    assert result.returncode == 0, result.stderr
    assert mode(var) == 0o700
    assert mode(var / "rolecall.sqlite3") == 0o600
    assert mode(var / "secret_key") == 0o600
    with sqlite3.connect(var / "rolecall.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM django_migrations").fetchone()[0] > 0


def test_attack_world_readable_database_is_narrowed_when_opened(tmp_path):
    var = tmp_path / "var"
    var.mkdir()
    database = var / "rolecall.sqlite3"
    sqlite3.connect(database).close()
    database.chmod(0o644)  # as an earlier version left it: password hashes for every user
    result = manage(
        "migrate",
        "-v",
        "0",
        environ=fresh_env(ROLECALL_VAR_DIR=str(var), DEBUG="true", ROLECALL_ENV_FILE=""),
    )
    assert result.returncode == 0, result.stderr
    assert mode(database) == 0o600


def test_any_sqlite_database_django_creates_is_private(tmp_path, django_db_blocker):
    database = tmp_path / "other.sqlite3"
    handler = ConnectionHandler(
        {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(database)}}
    )
    old = os.umask(0o022)
    try:
        with django_db_blocker.unblock():  # a database of its own, not the test database
            handler["default"].ensure_connection()
    finally:
        os.umask(old)
        handler.close_all()
    assert mode(database) == 0o600


def test_dotenv_fills_only_what_the_environment_leaves_unset(tmp_path, monkeypatch):
    dotenv = tmp_path / ".env"
    dotenv.write_text(
        "# comment\n"
        "ROLECALL_T_FROM_FILE=file\n"
        "ROLECALL_T_SET=file\n"
        "ROLECALL_T_QUOTED='a b'\n"
        "ROLECALL_T_SECRET_FILE=/from/dotenv\n"
    )
    for name in ("ROLECALL_T_FROM_FILE", "ROLECALL_T_QUOTED", "ROLECALL_T_SECRET_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ROLECALL_T_SET", "environment")
    monkeypatch.setenv("ROLECALL_T_SECRET", "given directly")
    env.load_dotenv(dotenv)
    assert os.environ["ROLECALL_T_FROM_FILE"] == "file"
    assert os.environ["ROLECALL_T_SET"] == "environment"
    assert os.environ["ROLECALL_T_QUOTED"] == "a b"
    # NAME and NAME_FILE together would be refused: the environment's NAME wins.
    assert "ROLECALL_T_SECRET_FILE" not in os.environ
    for name in ("ROLECALL_T_FROM_FILE", "ROLECALL_T_QUOTED"):
        monkeypatch.delenv(name)


def test_malformed_dotenv_line_is_a_clear_error(tmp_path):
    dotenv = tmp_path / ".env"
    dotenv.write_text("GOOD=1\nthis is not a setting\n")
    with pytest.raises(ImproperlyConfigured, match=r"\.env:2: expected NAME=value"):
        env.load_dotenv(dotenv)


def test_demo_password_is_kept_across_runs_unless_given(tmp_path, monkeypatch):
    run = run_script()
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    first = run.demo_password(tmp_path)
    assert len(first) >= 12
    assert run.demo_password(tmp_path) == first
    assert mode(tmp_path / "demo_password") == 0o600
    monkeypatch.setenv("DEMO_PASSWORD", "chosen-by-me")
    assert run.demo_password(tmp_path) == "chosen-by-me"
    monkeypatch.delenv("DEMO_PASSWORD")
    assert run.demo_password(tmp_path) == first


def readme_manage_commands() -> list[str]:
    text = all_docs_text()
    inline = re.findall(r"`([^`\n]*manage\.py [^`\n]+)`", text)
    blocks = re.findall(r"```(?:sh|shell|bash)\n(.*?)```", text, flags=re.S)
    in_blocks = [
        line.split("#", 1)[0].strip()
        for block in blocks
        for line in block.splitlines()
        if "manage.py " in line
    ]
    # `TOKEN=$(.venv/bin/python manage.py api_token ...)`: the command inside.
    in_blocks = [
        found.group(1) if (found := re.search(r"\$\((.*manage\.py [^)]+)\)", line)) else line
        for line in in_blocks
    ]
    return sorted(set(inline + in_blocks))


def test_readme_shows_the_exact_management_commands():
    commands = readme_manage_commands()
    for name in ("verify_audit", "prune_audit", "createsuperuser"):
        assert f".venv/bin/python manage.py {name}" in commands, commands
    # Bare `python manage.py` is not the venv's Python after `make run`.
    assert all(command.startswith(".venv/bin/python manage.py ") for command in commands)


def after_make_run(tmp_path, monkeypatch) -> dict[str, str]:
    """What `make run` leaves: the demo settings in .env, a migrated demo database."""
    for name in DROPPED:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ROLECALL_VAR_DIR", str(tmp_path / "var"))
    dotenv = tmp_path / ".env"
    run = run_script()
    demo = run.demo_environment()
    run.write_dotenv(demo, dotenv)
    assert mode(dotenv) == 0o600
    # A shell in the project root with nothing set; .env is read (here from tmp_path).
    environ = fresh_env(ROLECALL_ENV_FILE=str(dotenv))
    migrated = manage("migrate", "-v", "0", environ=environ)
    assert migrated.returncode == 0, migrated.stderr
    # As `make run` does (scripts/run.py): the demo users the docs' examples name.
    users = manage("demo_users", environ=environ)
    assert users.returncode == 0, users.stderr
    return environ


def run_as_readme_shows(command: str, environ: dict[str, str], **kwargs):
    argv = shlex.split(command)
    assert argv[:2] == [".venv/bin/python", "manage.py"]
    return subprocess.run(
        argv, cwd=ROOT, env=environ, capture_output=True, text=True, timeout=120, **kwargs
    )


def test_readme_audit_commands_work_after_make_run(tmp_path, monkeypatch):
    environ = after_make_run(tmp_path, monkeypatch)
    verify = run_as_readme_shows(".venv/bin/python manage.py verify_audit", environ)
    assert verify.returncode == 0, verify.stderr
    assert verify.stdout.startswith("OK: ")
    for command in readme_manage_commands():
        if "createsuperuser" in command:
            continue
        result = run_as_readme_shows(command, environ)
        assert result.returncode == 0, (command, result.stderr)
        assert "configuration error" not in result.stderr


def test_readme_createsuperuser_works_after_make_run(tmp_path, monkeypatch):
    environ = after_make_run(tmp_path, monkeypatch)
    import fcntl
    import termios

    primary, secondary = os.openpty()

    def controlling_terminal() -> None:
        os.setsid()
        fcntl.ioctl(secondary, termios.TIOCSCTTY, 0)

    process = subprocess.Popen(
        shlex.split(".venv/bin/python manage.py createsuperuser"),
        cwd=ROOT,
        env=environ,
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
        preexec_fn=controlling_terminal,
    )
    os.close(secondary)
    answers = [
        ("Username", "firstadmin"),
        ("Email address", "admin@example.com"),
        ("Password", "a long and unusual passphrase"),
        ("Password (again)", "a long and unusual passphrase"),
    ]
    seen = ""
    deadline = time.monotonic() + 60
    try:
        while process.poll() is None and time.monotonic() < deadline:
            ready, _, _ = select.select([primary], [], [], 0.5)
            if not ready:
                continue
            try:
                seen += os.read(primary, 4096).decode("utf-8", "replace")
            except OSError:
                break
            if answers and seen.rstrip().endswith(":") and answers[0][0] in seen:
                prompt, answer = answers.pop(0)
                os.write(primary, (answer + "\n").encode())
                seen = ""
        process.wait(timeout=30)
    finally:
        os.close(primary)
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, seen
    assert answers == []
    # The .env from `make run` named the var/ (and so the database) it used.
    with sqlite3.connect(tmp_path / "var" / "rolecall.sqlite3") as db:
        row = db.execute(
            "SELECT is_superuser FROM auth_user WHERE username = 'firstadmin'"
        ).fetchone()
    assert row == (1,)

"""Start-up refuses malformed configuration with one clear message."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from dashboard import env

ROOT = Path(__file__).resolve().parent.parent


def manage_check(**overrides: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DATABASE_URL"}}
    environ.update(DJANGO_SETTINGS_MODULE="dashboard.settings", ALLOWED_HOSTS="localhost")
    environ.update(overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_debug_off_without_secret_key_refuses_to_start():
    result = manage_check(DEBUG="false")
    assert result.returncode == 2
    assert "SECRET_KEY (or SECRET_KEY_FILE) is required when DEBUG is off" in result.stderr
    assert "Traceback" not in result.stderr


def test_malformed_database_url_refuses_to_start():
    result = manage_check(SECRET_KEY="k" * 50, DATABASE_URL="mysqlx//nowhere")
    assert result.returncode == 2
    assert "DATABASE_URL must look like" in result.stderr
    assert "Traceback" not in result.stderr


def test_malformed_boolean_refuses_to_start():
    result = manage_check(SECRET_KEY="k" * 50, DEBUG="ture")
    assert result.returncode == 2
    assert "DEBUG='ture' is not a boolean" in result.stderr


def test_valid_configuration_starts(tmp_path):
    result = manage_check(SECRET_KEY="k" * 50, DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}")
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_secret_key_can_come_from_a_file(tmp_path, monkeypatch):
    key_file = tmp_path / "key"
    key_file.write_text("from-a-file\n")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("SECRET_KEY_FILE", str(key_file))
    assert env.secret("SECRET_KEY") == "from-a-file"


def test_secret_and_secret_file_together_are_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "a")
    monkeypatch.setenv("SECRET_KEY_FILE", str(tmp_path / "key"))
    with pytest.raises(ImproperlyConfigured, match="not both"):
        env.secret("SECRET_KEY")


@pytest.mark.parametrize(
    "url, engine",
    [
        ("postgres://u:p@db.example:5432/rolecall", "django.db.backends.postgresql"),
        ("postgresql://u@127.0.0.1/rolecall", "django.db.backends.postgresql"),
        ("sqlite:///var/x.sqlite3", "django.db.backends.sqlite3"),
    ],
)
def test_database_urls_parse(monkeypatch, url, engine):
    monkeypatch.setenv("DATABASE_URL", url)
    assert env.database("DATABASE_URL", "sqlite:///unused")["ENGINE"] == engine


@pytest.mark.parametrize(
    "url",
    ["garbage", "mysql://u@h/db", "postgres://u@h:notaport/db", "postgres://u@/db", "postgres://h"],
)
def test_malformed_database_urls_are_refused(monkeypatch, url):
    monkeypatch.setenv("DATABASE_URL", url)
    with pytest.raises(ImproperlyConfigured):
        env.database("DATABASE_URL", "sqlite:///unused")


@pytest.mark.parametrize("name, value", [("N", "12x"), ("N", "-1")])
def test_malformed_integers_are_refused(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ImproperlyConfigured):
        env.integer(name, 5, minimum=0)


def test_unknown_time_zone_is_refused(monkeypatch):
    monkeypatch.setenv("TIME_ZONE", "Mars/Olympus")
    with pytest.raises(ImproperlyConfigured, match="not a known time zone"):
        env.time_zone("TIME_ZONE", "UTC")


def test_malformed_redis_url_is_refused(monkeypatch):
    monkeypatch.setenv("REDIS_URL", "http://127.0.0.1:6379")
    with pytest.raises(ImproperlyConfigured, match="REDIS_URL"):
        env.redis_url("REDIS_URL", "redis://127.0.0.1:6379/0")


# --- reliability: countdowns, time limits and the visibility timeout -----------


# Reported by `manage.py check` as system checks (dashboard/checks.py), and refused by the
# processes that run none: the web server and Celery's workers and beat.


def test_a_poll_backoff_cap_near_the_visibility_timeout_fails_the_check():
    result = manage_check(SECRET_KEY="k" * 50, ROLECALL_POLL_BACKOFF_CAP="400")
    assert result.returncode == 1
    assert (
        "(rolecall.E001) ROLECALL_POLL_BACKOFF_CAP=400s is not well below the broker "
        "visibility timeout (3600s); keep every countdown under a tenth of it"
    ) in result.stderr
    assert "Traceback" not in result.stderr


def test_a_short_visibility_timeout_is_checked_against_the_task_time_limit():
    result = manage_check(SECRET_KEY="k" * 50, ROLECALL_VISIBILITY_TIMEOUT="600")
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if "(rolecall.E001)" in line]
    assert len(errors) == 1
    assert (
        "ROLECALL_TASK_TIME_LIMIT=600s is not well below the broker visibility timeout"
        in (errors[0])
    )
    assert "Traceback" not in result.stderr


def start(command: list[str], **overrides: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DATABASE_URL"}}
    environ.update(DJANGO_SETTINGS_MODULE="dashboard.settings", ALLOWED_HOSTS="localhost")
    environ.update(SECRET_KEY="k" * 50, ROLECALL_ENV_FILE="", **overrides)
    return subprocess.run(
        command, cwd=ROOT, env=environ, capture_output=True, text=True, timeout=60
    )


CELERY = [sys.executable, "-m", "celery", "-A", "dashboard"]


@pytest.mark.parametrize(
    "command",
    [
        [*CELERY, "worker", "--pool", "solo", "--queues", "celery"],
        # Its own schedule file: beat replaces a schedule it cannot open, and as root
        # a shared path such as /dev/null would be replaced by a regular file.
        [*CELERY, "beat", "--schedule", "{tmp}/celerybeat-schedule"],
        [sys.executable, "-c", "import dashboard.wsgi"],
    ],
    ids=["worker", "beat", "web"],
)
def test_a_process_that_runs_no_checks_refuses_to_start_on_bad_timings(command, tmp_path):
    command = [part.format(tmp=tmp_path) for part in command]
    result = start(command, ROLECALL_POLL_BACKOFF_CAP="400", ROLECALL_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert (
        "ROLECALL_POLL_BACKOFF_CAP=400s is not well below the broker visibility timeout (3600s)"
    ) in result.stderr


def test_consistent_short_timings_start(tmp_path):
    result = manage_check(
        SECRET_KEY="k" * 50,
        DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}",
        ROLECALL_VISIBILITY_TIMEOUT="300",
        ROLECALL_TASK_TIME_LIMIT="120",
        ROLECALL_POLL_BACKOFF_CAP="30",
    )
    assert result.returncode == 0, result.stderr


def reliability_values(**changes) -> dict:
    from dashboard import settings as base

    values = {
        name: getattr(base, name)
        for name in (
            "CELERY_BROKER_VISIBILITY_TIMEOUT",
            "CELERY_BROKER_TRANSPORT_OPTIONS",
            "ROLECALL_POLL_BACKOFF_CAP",
            "CELERY_TASK_TIME_LIMIT",
        )
    }
    values.update(changes)
    return values


def test_the_shipped_timings_pass_the_check():
    from dashboard.checks import reliability_problems

    assert reliability_problems(reliability_values()) == []


def test_visibility_timeouts_that_disagree_are_refused():
    from dashboard.checks import reliability_problems

    problems = reliability_problems(
        reliability_values(
            CELERY_BROKER_TRANSPORT_OPTIONS={"visibility_timeout": 43200},
            CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS={"visibility_timeout": 60},
        )
    )
    assert problems == [
        'CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]=43200 disagrees with '
        "ROLECALL_VISIBILITY_TIMEOUT=3600",
        'CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS["visibility_timeout"]=60 disagrees with '
        "ROLECALL_VISIBILITY_TIMEOUT=3600",
    ]


def test_a_broker_without_the_visibility_timeout_is_refused():
    from dashboard.checks import reliability_problems

    problems = reliability_problems(reliability_values(CELERY_BROKER_TRANSPORT_OPTIONS={}))
    assert problems == [
        "CELERY_BROKER_TRANSPORT_OPTIONS has no visibility_timeout "
        "(ROLECALL_VISIBILITY_TIMEOUT=3600 would not reach the broker)"
    ]

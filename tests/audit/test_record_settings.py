"""manage.py record_settings: the safety-rail settings in the audit history
(roles/audit/rails.py)."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from roles.audit.tasks import verify_chain
from roles.models import AuditEvent
from tests.support.processes import production_env

# Starts processes of its own: its file runs first (tests/conftest.py).
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
ACTION = "settings.rails_changed"


@pytest.fixture
def rails(settings):
    settings.ROLECALL_REQUIRE_APPROVAL = True
    settings.ROLECALL_PROTECTED_ROLES = ["*SSO*"]
    settings.ROLECALL_PROTECTED_ACCOUNTS = ["111111111111"]
    settings.ROLECALL_REAUTH_MINUTES = 10
    return settings


def events():
    return list(AuditEvent.objects.filter(action=ACTION).order_by("seq"))


def test_the_first_start_records_the_rails(db, rails, capsys):
    call_command("record_settings")
    (event,) = events()
    assert event.actor_name == "system" and event.actor is None
    assert event.details["before"] is None
    assert event.details["after"] == {
        "ROLECALL_REQUIRE_APPROVAL": True,
        "ROLECALL_PROTECTED_ROLES": ["*SSO*"],
        "ROLECALL_PROTECTED_ACCOUNTS": ["111111111111"],
        "ROLECALL_REAUTH_MINUTES": 10,
    }
    assert "Recorded the safety-rail settings as audit event" in capsys.readouterr().out


def test_a_start_with_the_same_rails_records_nothing(db, rails, capsys):
    call_command("record_settings")
    call_command("record_settings")
    assert len(events()) == 1
    assert capsys.readouterr().out.endswith("Safety-rail settings unchanged.\n")


def test_attack_turning_approval_off_is_recorded_with_before_and_after(db, rails, capsys):
    call_command("record_settings")
    rails.ROLECALL_REQUIRE_APPROVAL = False
    rails.ROLECALL_PROTECTED_ACCOUNTS = []
    call_command("record_settings")
    event = events()[-1]
    assert event.details["before"]["ROLECALL_REQUIRE_APPROVAL"] is True
    assert event.details["after"]["ROLECALL_REQUIRE_APPROVAL"] is False
    assert event.details["changed"] == ["ROLECALL_REQUIRE_APPROVAL", "ROLECALL_PROTECTED_ACCOUNTS"]
    assert event.details["weakened"] == [
        "two-person approval turned off",
        "ROLECALL_PROTECTED_ACCOUNTS no longer lists 111111111111",
    ]
    out = capsys.readouterr().out
    assert "ROLECALL_REQUIRE_APPROVAL: True -> False" in out
    assert "Weakened: two-person approval turned off" in out


def test_a_longer_re_authentication_window_is_a_weakening(db, rails):
    call_command("record_settings")
    rails.ROLECALL_REAUTH_MINUTES = 240
    call_command("record_settings")
    assert events()[-1].details["weakened"] == ["re-authentication lasts longer"]


def test_the_daily_verification_records_a_change_without_a_restart_command(db, rails):
    call_command("record_settings")
    rails.ROLECALL_REQUIRE_APPROVAL = False
    assert verify_chain.apply().get() is True
    event = events()[-1]
    assert event.details["after"]["ROLECALL_REQUIRE_APPROVAL"] is False
    # After the verdict, so the verdict describes the chain as it was found.
    assert AuditEvent.objects.get(action="audit.verified").seq < event.seq
    verify_chain.apply().get()
    assert len(events()) == 2


def test_the_command_records_the_environment_of_a_real_start(tmp_path):
    """As scripts/run.py runs it after migrate, with the environment a deployment gives."""
    environ = production_env(
        SECRET_KEY="k" * 50,
        ALLOWED_HOSTS="localhost",
        DATABASE_URL=f"sqlite:///{tmp_path / 'start.sqlite3'}",
    )

    def manage(*args, **overrides):
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env={**environ, **overrides},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    manage("migrate", "--noinput", "-v", "0")
    assert "Recorded the safety-rail settings" in manage("record_settings")
    assert manage("record_settings") == "Safety-rail settings unchanged.\n"
    off = manage("record_settings", ROLECALL_REQUIRE_APPROVAL="false")
    assert "ROLECALL_REQUIRE_APPROVAL: True -> False" in off
    assert "Weakened: two-person approval turned off" in off
    assert manage("verify_audit").startswith("OK: 2 events")

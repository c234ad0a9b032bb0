"""The keyed audit chain: what the key protects against that the plain chain cannot."""

import json

import pytest
from django.core.management import call_command

from roles.audit import chain
from roles.audit.verify import verify
from roles.models import AuditEvent
from tests.audit_helpers import raw, triggers_bypassed

# The SQLite pass of .ci/run runs this module too (docs/testing.md).
pytestmark = pytest.mark.engine

KEY = "k" * 40


def run_verify(capsys):
    try:
        call_command("verify_audit")
        code = 0
    except SystemExit as exc:
        code = exc.code
    out = capsys.readouterr()
    return code, out.out + out.err


def make_events(n: int, start: int = 0) -> list[AuditEvent]:
    return [AuditEvent.objects.record("sync.started", details={"i": i + start}) for i in range(n)]


def rewrite_and_recompute(seq: int, details: dict, through: int | None = None) -> None:
    """What someone with write access but no key does: change one event's content,
    then recompute every hash from there on with plain SHA-256, as the code does
    without a key, so every link and every hash agrees again."""
    events = AuditEvent.objects.filter(seq__gte=seq).order_by("seq")
    events = list(events.filter(seq__lte=through) if through else events)
    previous = AuditEvent.objects.filter(seq=seq - 1).values_list("hash", flat=True).first()
    with triggers_bypassed():
        for event in events:
            if event.seq == seq:
                event.details = details
            if previous is not None:
                event.prev_hash = previous
            event.hash = chain.plain_hash(event)
            raw(
                "UPDATE roles_auditevent SET details = %s, prev_hash = %s, hash = %s "
                "WHERE seq = %s",
                [json.dumps(event.details), event.prev_hash, event.hash, event.seq],
            )
            previous = event.hash


def test_attack_rewrite_and_recompute_passes_the_plain_chain(db, capsys):
    # Documented limit of the plain mode: it is not a defence against this.
    make_events(5)
    rewrite_and_recompute(3, {"i": "forged"})
    code, output = run_verify(capsys)
    assert (code, output) == (
        0,
        "OK: 5 events, chain intact (plain SHA-256; ROLECALL_AUDIT_HMAC_KEY is not set)\n",
    )


def test_attack_rewrite_and_recompute_is_caught_with_the_key(db, settings, capsys):
    settings.ROLECALL_AUDIT_HMAC_KEY = KEY
    make_events(5)
    assert run_verify(capsys)[0] == 0
    rewrite_and_recompute(3, {"i": "forged"})
    code, output = run_verify(capsys)
    assert code == 1
    assert "BROKEN at sequence number 3" in output
    assert "without ROLECALL_AUDIT_HMAC_KEY" in output


def test_attack_rewriting_the_whole_history_without_the_key_is_caught(db, settings, capsys):
    settings.ROLECALL_AUDIT_HMAC_KEY = KEY
    make_events(4)
    rewrite_and_recompute(1, {"i": "forged"})  # every row now plain, none keyed
    code, output = run_verify(capsys)
    assert code == 1
    assert "no event is keyed although ROLECALL_AUDIT_HMAC_KEY is set" in output


def test_attack_a_guessed_key_does_not_verify(db, settings, capsys):
    settings.ROLECALL_AUDIT_HMAC_KEY = KEY
    make_events(3)
    settings.ROLECALL_AUDIT_HMAC_KEY = "g" * 40
    code, output = run_verify(capsys)
    assert code == 1
    assert "BROKEN at sequence number 1" in output and "different key" in output


def test_a_keyed_chain_reports_its_mode(db, settings, capsys):
    settings.ROLECALL_AUDIT_HMAC_KEY = KEY
    events = make_events(3)
    assert events[0].hash != chain.plain_hash(events[0])
    assert run_verify(capsys) == (
        0,
        "OK: 3 events, chain intact (HMAC-SHA256 with ROLECALL_AUDIT_HMAC_KEY from event #1)\n",
    )


def test_history_from_before_the_key_verifies_as_plain_then_keyed(db, settings, capsys):
    make_events(2)
    settings.ROLECALL_AUDIT_HMAC_KEY = KEY
    make_events(3, start=2)
    verdict = verify()
    assert verdict.ok and (verdict.plain_through, verdict.keyed_from) == (2, 3)
    assert run_verify(capsys) == (
        0,
        "OK: 5 events, chain intact (HMAC-SHA256 with ROLECALL_AUDIT_HMAC_KEY from event #3; "
        "plain SHA-256 through #2, before the key was set)\n",
    )


def test_attack_rewriting_the_plain_part_before_the_key_is_caught(db, settings, capsys):
    make_events(3)
    settings.ROLECALL_AUDIT_HMAC_KEY = KEY
    make_events(2, start=3)
    # #2 and #3 (plain) can be recomputed; #4 is keyed and names #3's hash.
    rewrite_and_recompute(2, {"i": "forged"}, through=3)
    with triggers_bypassed():
        new_link = AuditEvent.objects.get(seq=3).hash
        raw("UPDATE roles_auditevent SET prev_hash = %s WHERE seq = 4", [new_link])
    code, output = run_verify(capsys)
    assert code == 1
    assert "BROKEN at sequence number 4: content does not match its hash" in output


def test_keyed_events_without_the_key_are_reported_not_trusted(db, settings, capsys):
    settings.ROLECALL_AUDIT_HMAC_KEY = KEY
    make_events(2)
    settings.ROLECALL_AUDIT_HMAC_KEY = ""
    code, output = run_verify(capsys)
    assert code == 1
    assert "set ROLECALL_AUDIT_HMAC_KEY to verify keyed events" in output


@pytest.mark.parametrize("value,ok", [("short", False), ("x" * 32, True)])
def test_the_key_is_read_like_any_secret(tmp_path, value, ok):
    import os
    import subprocess
    import sys

    path = tmp_path / "audit_key"
    path.write_text(value + "\n")
    env = dict(os.environ, ROLECALL_AUDIT_HMAC_KEY_FILE=str(path))
    env.pop("ROLECALL_AUDIT_HMAC_KEY", None)
    env["DJANGO_SETTINGS_MODULE"] = "dashboard.settings_test"
    code = "from django.conf import settings; print(len(settings.ROLECALL_AUDIT_HMAC_KEY))"
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=env,
        capture_output=True,
        text=True,
    )
    if ok:
        assert result.returncode == 0 and result.stdout.strip() == "32"
    else:
        assert result.returncode != 0
        assert "ROLECALL_AUDIT_HMAC_KEY must be at least 32 characters" in result.stderr

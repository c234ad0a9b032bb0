"""manage.py verify_audit and prune_audit."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import DatabaseError, transaction
from django.utils import timezone

from roles.models import AuditEvent
from tests.audit_helpers import raw, triggers_bypassed

# The SQLite pass of .ci/run runs this module too (docs/testing.md).
pytestmark = pytest.mark.engine

# The append-only triggers are PostgreSQL's; deselected on SQLite (tests/conftest.py).
postgres_only = pytest.mark.postgresql


def run_verify(capsys):
    try:
        call_command("verify_audit")
        code = 0
    except SystemExit as exc:
        code = exc.code
    out = capsys.readouterr()
    return code, out.out + out.err


def make_events(n: int) -> list[AuditEvent]:
    return [AuditEvent.objects.record("sync.started", details={"i": i}) for i in range(n)]


def test_an_intact_chain_passes(db, capsys):
    make_events(5)
    assert run_verify(capsys) == (
        0,
        "OK: 5 events, chain intact (plain SHA-256; ROLECALL_AUDIT_HMAC_KEY is not set)\n",
    )


def test_an_empty_history_passes(db, capsys):
    assert run_verify(capsys) == (
        0,
        "OK: 0 events, chain intact (plain SHA-256; ROLECALL_AUDIT_HMAC_KEY is not set)\n",
    )


def test_an_edited_row_is_named(db, capsys):
    make_events(5)
    with triggers_bypassed():
        raw("UPDATE roles_auditevent SET actor_name = 'someone-else' WHERE seq = 3")
    code, output = run_verify(capsys)
    assert code == 1
    assert "BROKEN at sequence number 3" in output
    assert "edited" in output


def test_a_removed_row_is_named(db, capsys):
    make_events(5)
    with triggers_bypassed():
        raw("DELETE FROM roles_auditevent WHERE seq = 4")
    code, output = run_verify(capsys)
    assert code == 1
    assert "BROKEN at sequence number 4" in output


def test_a_rewritten_tail_with_recomputed_hash_is_still_caught(db, capsys):
    from roles.audit import chain

    make_events(4)
    event = AuditEvent.objects.get(seq=2)
    event.details = {"i": "forged"}
    forged = chain.event_hash(event)
    with triggers_bypassed():
        raw(
            "UPDATE roles_auditevent SET details = %s, hash = %s WHERE seq = 2",
            ['{"i": "forged"}', forged],
        )
    code, output = run_verify(capsys)
    assert code == 1
    assert "BROKEN at sequence number 3" in output


def test_removing_the_oldest_rows_without_a_checkpoint_is_caught(db, capsys):
    make_events(4)
    with triggers_bypassed():
        raw("DELETE FROM roles_auditevent WHERE seq <= 2")
    code, output = run_verify(capsys)
    assert code == 1
    assert "BROKEN at sequence number 3" in output
    assert "without a checkpoint" in output


def test_pruning_keeps_the_chain_verifiable(db, capsys):
    make_events(6)
    old = timezone.now() - timedelta(days=40)
    with triggers_bypassed():
        # Age the first four events; their hashes would break, so re-chain them
        # as if they had been written 40 days ago.
        _age_events(through_seq=4, when=old)
    assert run_verify(capsys)[0] == 0
    call_command("prune_audit", days=30)
    out = capsys.readouterr().out
    assert "Pruned 4 events through #4" in out
    assert list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True)) == [5, 6, 7]
    checkpoint = AuditEvent.objects.get(seq=7)
    assert checkpoint.action == "audit.pruned"
    assert checkpoint.details["pruned_through_seq"] == 4
    assert run_verify(capsys) == (
        0,
        "OK: 3 events, chain intact (plain SHA-256; ROLECALL_AUDIT_HMAC_KEY is not set)\n",
    )


def test_pruning_with_unlimited_retention_does_nothing(db, capsys):
    make_events(2)
    call_command("prune_audit")
    assert "nothing pruned" in capsys.readouterr().out
    assert AuditEvent.objects.count() == 2


def _age_events(through_seq: int, when) -> None:
    from roles.audit import chain

    previous = chain.GENESIS
    for event in AuditEvent.objects.order_by("seq"):
        if event.seq <= through_seq:
            event.time = when
        event.prev_hash = previous
        event.hash = chain.event_hash(event)
        raw(
            "UPDATE roles_auditevent SET time = %s, prev_hash = %s, hash = %s WHERE seq = %s",
            [event.time, event.prev_hash, event.hash, event.seq],
        )
        previous = event.hash


@postgres_only
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE roles_auditevent SET action = 'x' WHERE seq = 1",
        "DELETE FROM roles_auditevent WHERE seq = 1",
        "TRUNCATE roles_auditevent",
    ],
)
def test_postgres_refuses_changes_to_the_table(transactional_db, statement):
    make_events(1)
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic():
            raw("SET LOCAL rolecall.audit_truncate = 'off'")
            raw(statement)
    assert AuditEvent.objects.get(seq=1).action == "sync.started"


@postgres_only
def test_postgres_refuses_an_update_disguised_as_a_user_deletion(db, operator):
    AuditEvent.objects.record("auth.login", actor=operator)
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic():
            raw("UPDATE roles_auditevent SET actor_id = NULL, actor_name = 'x' WHERE seq = 1")

"""A worker's row lock never stops another transaction from committing a row that
points at the locked rows.

PostgreSQL checks a foreign key by taking FOR KEY SHARE on the row it points at,
at commit (Django's foreign keys are deferred). FOR UPDATE conflicts with that
lock; FOR NO KEY UPDATE does not. The deletion worker locks its request with the
account and role joined; a campaign's advance holds the audit chain's lock while it
commits new deletion requests for the same account. With FOR UPDATE each waited for
the other, and PostgreSQL broke the deadlock by killing one of them. Every lock in
roles/ is FOR NO KEY UPDATE: they all guard updates of ordinary columns.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
from django.db import connection, transaction

from roles.deletion import worker
from roles.deletion.service import request_deletion
from roles.models import ServiceLinkedRole, SyncRun

pytestmark = pytest.mark.postgresql
ROOT = Path(__file__).resolve().parents[2]


class Insert(threading.Thread):
    """Commit a sync run for the account on a connection of its own, waiting for row
    locks at most two seconds."""

    def __init__(self, account) -> None:
        super().__init__(daemon=True)
        self.account, self.error = account, None

    def run(self) -> None:
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '2s'")
                SyncRun.objects.create(account=self.account)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            self.error = exc
        finally:
            connection.close()


def test_a_locked_deletion_lets_rows_pointing_at_its_account_commit(
    sync_demo, operator, transactional_db
):
    prod = sync_demo("acme-prod", regions=["us-east-1"])["acme-prod"]
    role = ServiceLinkedRole.objects.get(account=prod, name="AWSServiceRoleForEC2Spot")
    deletion = request_deletion(role, user=operator).request
    with transaction.atomic():
        locked, attempt = worker._locked(deletion.pk, worker.SUBMITTABLE)
        assert locked.account == prod and attempt is not None
        insert = Insert(prod)
        insert.start()
        insert.join(30)
        assert not insert.is_alive()
        assert insert.error is None, repr(insert.error)
    assert SyncRun.objects.filter(account=prod).exists()


def test_every_row_lock_is_for_no_key_update():
    calls = [
        f"{path.relative_to(ROOT)}: {line.strip()}"
        for path in sorted(ROOT.joinpath("roles").rglob("*.py"))
        if "migrations" not in path.parts
        for line in path.read_text().splitlines()
        if "select_for_update(" in line and not re.search(r"no_key=True", line)
    ]
    assert calls == []

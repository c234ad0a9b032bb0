"""Sync history is pruned to ROLECALL_SYNC_HISTORY_DAYS, keeping what pages and rails read."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from roles.inventory.summary import summarise
from roles.inventory.sync.history import prune
from roles.models import Account, AuditEvent, CleanupPlan, SyncRun

# The SQLite pass of .ci/run runs this module too (docs/testing.md).
pytestmark = pytest.mark.engine

Status = SyncRun.Status


def runs(account: Account, *statuses: str, days_ago: int) -> list[SyncRun]:
    made = []
    for status in statuses:
        run = SyncRun.objects.create(account=account, status=status)
        when = timezone.now() - timedelta(days=days_ago)
        SyncRun.objects.filter(pk=run.pk).update(created=when, finished=when)
        made.append(run)
    return made


@pytest.fixture
def accounts(db):
    return [
        Account.objects.create(aws_account_id=f"{300000000000 + n}", name=f"a{n}") for n in range(3)
    ]


def test_old_runs_go_and_each_accounts_last_success_and_latest_stay(accounts, settings):
    settings.ROLECALL_SYNC_HISTORY_DAYS = 30
    one, two, three = accounts
    old_one = runs(
        one, Status.SUCCEEDED, Status.FAILED, Status.SUCCEEDED, Status.PARTIAL, days_ago=90
    )
    recent_one = runs(one, Status.FAILED, days_ago=1)
    old_two = runs(two, Status.SUCCEEDED, Status.FAILED, days_ago=60)
    old_three = runs(three, Status.FAILED, Status.FAILED, days_ago=60)
    summarise(accounts)
    before = {a.pk: a.summary.last_success for a in Account.objects.select_related("summary")}

    assert prune() == 4
    left = set(SyncRun.objects.values_list("pk", flat=True))
    # one: its last success (old) stays; its latest run is recent anyway.
    assert left == {old_one[2].pk, recent_one[0].pk, old_two[0].pk, old_two[1].pk, old_three[1].pk}
    summarise(accounts)
    after = {a.pk: a.summary.last_success for a in Account.objects.select_related("summary")}
    assert after == before
    event = AuditEvent.objects.filter(action="sync.pruned").get()
    assert event.details["deleted"] == 4 and event.details["days"] == 30
    assert prune() == 0
    assert AuditEvent.objects.filter(action="sync.pruned").count() == 1  # nothing to say twice


def test_active_runs_and_a_plans_resync_are_never_pruned(accounts):
    account = accounts[0]
    queued = SyncRun.objects.create(account=account, status=Status.QUEUED)
    SyncRun.objects.filter(pk=queued.pk).update(created=timezone.now() - timedelta(days=400))
    resync, _newer = runs(account, Status.PARTIAL, Status.SUCCEEDED, days_ago=400)
    from roles.models import ServiceLinkedRole

    role = ServiceLinkedRole.objects.create(
        account=account, arn="arn:aws:iam::300000000000:role/x", name="x", path="/"
    )
    CleanupPlan.objects.create(
        role=role, account=account, role_arn=role.arn, role_name="x", resync=resync
    )
    assert prune(days=1) == 0
    assert SyncRun.objects.count() == 3


def test_the_command_prunes_and_refuses_a_bad_retention(accounts, capsys):
    runs(accounts[0], Status.FAILED, Status.FAILED, days_ago=10)
    call_command("prune_syncs", "--days", "5")
    assert "Deleted 1 sync run(s) created more than 5 days ago." in capsys.readouterr().out
    result = subprocess.run(
        [sys.executable, "manage.py", "prune_syncs", "--days", "0"],
        capture_output=True,
        text=True,
        check=False,
        env={"DJANGO_SETTINGS_MODULE": "dashboard.settings_test", "PATH": ""},
    )
    assert result.returncode == 2
    assert "--days must be at least 1." in result.stderr and "Traceback" not in result.stderr


def test_the_retention_is_a_setting_the_beat_runs_daily():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["sync-history-prune"]
    assert entry == {"task": "rolecall.sync.prune", "schedule": 24 * 3600}
    assert settings.ROLECALL_SYNC_HISTORY_DAYS == 30

"""A sync that fails outside AWS, or whose worker is gone, ends instead of staying "running"."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from roles.aws import inventory
from roles.inventory.sync.service import run_sync, start_sync
from roles.models import AuditEvent, Notification, SyncRun
from tests.support.processes import wait_for

Status = SyncRun.Status


@pytest.fixture
def prod(demo_accounts):
    account = demo_accounts["acme-prod"]
    account.regions = ["us-east-1", "eu-west-1"]
    account.save(update_fields=["regions"])
    return account


def test_a_collector_bug_ends_the_run_as_failed_with_class_and_message(
    emulator, prod, operator, monkeypatch
):
    def broken(aws, region, depth, run):
        raise KeyError("clusterArns")

    monkeypatch.setattr(inventory, "_region", broken)
    run = start_sync(prod, user=operator)
    run_sync(run.pk, task_id="t1")
    run.refresh_from_db()
    assert run.status == Status.FAILED and run.finished is not None
    assert run.error["code"] == "KeyError"
    assert run.error["class"] == "builtins.KeyError"
    assert "clusterArns" in run.error["message"]
    event = AuditEvent.objects.get(action="sync.finished")
    assert event.outcome == "failure" and event.details["error"]["code"] == "KeyError"
    note = Notification.objects.get(user=operator)
    assert note.title == "Sync of acme-prod failed" and "KeyError" in note.body
    # The next Refresh starts a new sync instead of joining the failed one.
    again = start_sync(prod)
    assert again.pk != run.pk and not again.joined


def test_a_failure_while_storing_rolls_back_and_ends_the_run(emulator, prod, monkeypatch):
    from roles.inventory.sync import service

    def broken(account, snapshot):
        raise ValueError("A string literal cannot contain NUL (0x00) characters.")

    monkeypatch.setattr(service, "store", broken)
    run = start_sync(prod)
    run_sync(run.pk, task_id="t1")
    run.refresh_from_db()
    assert run.status == Status.FAILED
    assert run.error["code"] == "ValueError" and "NUL" in run.error["message"]
    assert run.counts == {}  # nothing of the failed store was kept


@pytest.mark.worker
def test_a_real_worker_ends_a_sync_that_raises_outside_aws(emulator, worker, prod):
    # An invalid region name stored on the account (say, by an older version):
    # botocore refuses to build the client, which is not an AWS error.
    prod.regions = ["us-east-1", "not a region!"]
    prod.save(update_fields=["regions"])
    run = start_sync(prod)
    wait_for(
        lambda: SyncRun.objects.get(pk=run.pk).status not in SyncRun.ACTIVE,
        timeout=120,
        message="sync stayed active:\n" + "".join(worker.output[-40:]),
    )
    run.refresh_from_db()
    assert run.status == Status.FAILED
    assert run.error["code"] == "InvalidRegionError"
    assert "not a region!" in run.error["message"]
    assert AuditEvent.objects.filter(action="sync.finished", outcome="failure").exists()


def _running(account, *, age: timedelta) -> SyncRun:
    run = start_sync(account)
    SyncRun.objects.filter(pk=run.pk).update(
        status=Status.RUNNING, task_id="gone", started=timezone.now() - age
    )
    run.refresh_from_db()
    return run


def test_refresh_does_not_join_a_run_past_the_time_limit(db, prod, settings):
    dead = _running(prod, age=timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 5))
    fresh = start_sync(prod)
    assert fresh.pk != dead.pk and not fresh.joined
    dead.refresh_from_db()
    assert dead.status == Status.FAILED and dead.error["code"] == "Interrupted"
    assert AuditEvent.objects.filter(action="sync.interrupted").count() == 1


def test_refresh_joins_a_live_run_and_says_so_with_its_start_time(operator_client, prod):
    live = _running(prod, age=timedelta(seconds=30))
    response = operator_client.post(reverse("account-refresh", args=[prod.pk]), follow=True)
    texts = [str(m) for m in response.context["messages"]]
    since = timezone.localtime(live.started).strftime("%Y-%m-%d %H:%M:%S")
    assert texts == [
        f"A sync of acme-prod was already running (since {since} UTC); this Refresh joined it."
    ]
    assert SyncRun.objects.filter(account=prod).count() == 1


def test_refresh_of_an_idle_account_says_started(operator_client, prod):
    response = operator_client.post(reverse("account-refresh", args=[prod.pk]), follow=True)
    assert [str(m) for m in response.context["messages"]] == ["Sync started for 1 account(s)."]


def test_htmx_refresh_shows_that_it_joined(operator_client, prod):
    _running(prod, age=timedelta(seconds=30))
    response = operator_client.post(
        reverse("account-refresh", args=[prod.pk]), HTTP_HX_REQUEST="true"
    )
    assert b'data-testid="sync-joined"' in response.content
    assert b"already running (since" in response.content


def test_start_up_closes_runs_left_by_a_stopped_stack_and_syncs_again(db, prod, demo_accounts):
    running = _running(prod, age=timedelta(seconds=20))  # well inside the time limit
    queued = start_sync(demo_accounts["acme-staging"])
    call_command("close_interrupted_syncs")
    for run in (running, queued):
        run.refresh_from_db()
        assert run.status == Status.FAILED and run.error["code"] == "Interrupted"
        assert run.finished is not None
    events = AuditEvent.objects.filter(action="sync.interrupted")
    assert sorted(e.details["status"] for e in events) == ["queued", "running"]
    # Each account has a new sync queued, and Refresh now starts nothing new.
    for account in (prod, demo_accounts["acme-staging"]):
        fresh = account.syncs.get(status__in=SyncRun.ACTIVE)
        assert fresh.pk not in (running.pk, queued.pk)
        assert start_sync(account).joined


def test_start_up_with_no_restart_only_closes(db, prod, capsys):
    _running(prod, age=timedelta(seconds=20))
    call_command("close_interrupted_syncs", "--no-restart")
    assert not SyncRun.objects.filter(status__in=SyncRun.ACTIVE).exists()
    assert "Closed 1 interrupted sync(s); started 0 again." in capsys.readouterr().out


def test_make_run_closes_interrupted_syncs_right_after_migrate_before_any_worker():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    run = (root / "scripts" / "run.py").read_text()
    prepare = run.index('"prepare_demo")')
    honcho = run.index("honcho = start_honcho(env)")  # the worker starts here
    assert prepare < honcho
    steps = (root / "roles" / "management" / "commands" / "prepare_demo.py").read_text()
    migrate = steps.index('call_command("migrate"')
    close = steps.index('call_command("close_interrupted_syncs", no_restart=True)')
    assert migrate < close < steps.index('call_command("record_settings")')

"""The sweeper's decisions, called directly: what is overdue, what is sent, when it gives up.

Publishing is recorded instead of sent (tests/faults/ run the same sweeper
against real Redis and workers), except where the broker is really unreachable.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from roles.access import groups
from roles.deletion import operation as deletion_operation
from roles.inventory.sync import operation as sync_operation
from roles.jobs import sweeper
from roles.models import (
    AuditEvent,
    DeletionAttempt,
    DeletionRequest,
    Notification,
    ServiceLinkedRole,
    SyncRun,
)
from tests.conftest import make_user
from tests.faults.broker import celery_broker, free_port

# The SQLite pass of .ci/run runs this module too (docs/testing.md).
pytestmark = pytest.mark.engine

STAGING = "222222222222"


@pytest.fixture
def sent(monkeypatch):
    published: list[tuple[str, int]] = []

    def deletion(phase, pk, countdown=0):
        published.append((phase, pk))
        return True

    def sync(pk):
        published.append(("sync", pk))
        return True

    monkeypatch.setattr(deletion_operation, "send", deletion)
    monkeypatch.setattr(sync_operation, "dispatch", sync)
    return published


@pytest.fixture
def staging(demo_accounts):
    return demo_accounts["acme-staging"]


def ago(seconds: float):
    return timezone.now() - timedelta(seconds=seconds)


def deletion(account, user, *, state="queued", poll_in=None, age=0, task_id="", name="ECS"):
    role = ServiceLinkedRole.objects.create(
        account=account,
        arn=f"arn:aws:iam::{account.aws_account_id}:role/aws-service-role/x/AWSServiceRoleFor{name}",
        name=f"AWSServiceRoleFor{name}",
        path="/aws-service-role/x/",
        service_principal="x.amazonaws.com",
    )
    row = DeletionRequest.objects.create(
        role=role,
        account=account,
        role_arn=role.arn,
        role_name=role.name,
        state=state,
        requested_by=user,
        requested_by_name=user.username,
        next_poll_at=None if poll_in is None else timezone.now() + timedelta(seconds=poll_in),
    )
    DeletionAttempt.objects.create(request=row, number=1, deletion_task_id=task_id)
    if age:
        DeletionRequest.objects.filter(pk=row.pk).update(updated=ago(age))
    return row


def test_a_queued_request_never_picked_up_gets_its_submit_again(sent, staging, operator):
    lost = deletion(staging, operator, age=60)
    result = sweeper.sweep(grace=30)
    assert result.deletions == [lost.pk]
    assert sent == [("submit", lost.pk)]
    lost.refresh_from_db()
    assert lost.dispatch_attempts == 1
    assert lost.state == "queued"
    assert abs((lost.next_poll_at - timezone.now()).total_seconds()) < 5
    event = AuditEvent.objects.get(action="deletion.redispatched")
    assert event.details == {
        "deletion_request": lost.pk,
        "state": "queued",
        "task": "submit",
        "dispatch_attempts": 1,
    }


def test_overdue_polls_are_sent_again_and_recent_ones_left_alone(sent, staging, operator):
    overdue = deletion(staging, operator, state="in_progress", poll_in=-40, task_id="t/1")
    submitted = deletion(staging, operator, state="submitted", poll_in=-31, name="RDS")
    deletion(staging, operator, state="in_progress", poll_in=-10, task_id="t/2", name="SSO")
    deletion(staging, operator, state="in_progress", poll_in=20, task_id="t/3", name="EKS")
    deletion(staging, operator, age=5, name="ELB")  # queued a moment ago: a worker will come
    deletion(staging, operator, state="succeeded", poll_in=-900, name="Old")
    deletion(staging, operator, state="awaiting_approval", age=900, name="Wait")
    result = sweeper.sweep(grace=30)
    assert sorted(sent) == [("poll", overdue.pk), ("poll", submitted.pk)]
    assert sorted(result.deletions) == sorted([overdue.pk, submitted.pk])


def test_a_swept_request_waits_a_full_grace_before_the_next_sweep(sent, staging, operator):
    deletion(staging, operator, state="in_progress", poll_in=-60, task_id="t/1")
    assert len(sweeper.sweep(grace=30).deletions) == 1
    assert sweeper.sweep(grace=30).empty
    assert len(sent) == 1


def test_it_gives_up_after_the_limit_with_a_notification_and_an_audit_event(
    sent, staging, operator, settings
):
    settings.ROLECALL_SWEEPER_MAX_DISPATCHES = 2
    stuck = deletion(staging, operator, state="in_progress", poll_in=-60, task_id="t/1")
    for _ in range(2):
        assert sweeper.sweep(grace=0).deletions == [stuck.pk]
    result = sweeper.sweep(grace=0)
    assert result.gave_up_deletions == [stuck.pk] and not result.deletions
    assert len(sent) == 2
    stuck.refresh_from_db()
    assert stuck.state == "error" and stuck.finished and stuck.next_poll_at is None
    assert stuck.last_error["code"] == "SweeperGaveUp"
    attempt = stuck.attempts.get()
    assert attempt.status == "error" and attempt.error["code"] == "SweeperGaveUp"
    event = AuditEvent.objects.get(action="deletion.failed")
    assert event.outcome == "failure"
    assert event.deletion_task_id == "t/1"
    assert event.details["sweeper"] == "gave up"
    assert event.details["dispatch_attempts"] == 2 and event.details["limit"] == 2
    note = Notification.objects.get(user=operator)
    assert note.level == "error"
    assert (
        note.title == "Deletion of AWSServiceRoleForECS in acme-staging stopped: no worker ran it"
    )
    assert "AWS may still be deleting the role" in note.body
    assert note.link == f"/deletions/{stuck.pk}/"
    # Ended: later sweeps leave it alone.
    assert sweeper.sweep(grace=0).empty


def test_giving_up_tells_everyone_concerned_as_every_other_ending_does(
    sent, staging, operator, approver, settings
):
    """The sweeper ends a request through the deletion's own close(): whoever asked for
    the retry hears of it too, as they would of any other ending."""
    settings.ROLECALL_SWEEPER_MAX_DISPATCHES = 1
    retrier = make_user("dave", groups.OPERATOR)
    stuck = deletion(staging, operator, state="in_progress", poll_in=-60, task_id="t/1")
    stuck.attempts.update(status="failed")
    DeletionAttempt.objects.create(
        request=stuck, number=2, deletion_task_id="t/2", requested_by=retrier
    )
    DeletionRequest.objects.filter(pk=stuck.pk).update(approved_by=approver, dispatch_attempts=1)
    assert sweeper.sweep(grace=0).gave_up_deletions == [stuck.pk]
    told = Notification.objects.filter(title__endswith="stopped: no worker ran it")
    assert sorted(told.values_list("user__username", flat=True)) == ["alice", "bob", "dave"]
    latest = stuck.attempts.get(number=2)
    assert latest.status == "error" and latest.error["code"] == "SweeperGaveUp"
    assert stuck.attempts.get(number=1).status == "failed"
    event = AuditEvent.objects.get(action="deletion.failed")
    assert event.details["attempt"] == 2 and event.deletion_task_id == "t/2"


def test_an_unreachable_broker_is_not_counted_and_the_page_says_so(staging, operator):
    waiting = deletion(staging, operator, age=60)
    with celery_broker(f"redis://127.0.0.1:{free_port()}/0"):
        result = sweeper.sweep(grace=30)
    assert result.not_sent == [f"deletion {waiting.pk}"] and not result.deletions
    waiting.refresh_from_db()
    assert waiting.dispatch_attempts == 0
    assert waiting.last_error["code"] == "BrokerUnavailable"
    assert not AuditEvent.objects.filter(action="deletion.redispatched").exists()


def test_a_successful_send_clears_the_broker_note(sent, staging, operator):
    waiting = deletion(staging, operator, age=60)
    DeletionRequest.objects.filter(pk=waiting.pk).update(
        last_error={"code": "BrokerUnavailable", "message": "x"}
    )
    sweeper.sweep(grace=30)
    waiting.refresh_from_db()
    assert waiting.last_error == {}


def test_sync_runs_queued_too_long_or_running_past_the_time_limit(sent, staging, settings):
    settings.CELERY_TASK_TIME_LIMIT = 600
    queued = SyncRun.objects.create(account=staging)
    SyncRun.objects.filter(pk=queued.pk).update(created=ago(45))
    prod = staging.__class__.objects.get(aws_account_id="111111111111")
    hub = staging.__class__.objects.get(aws_account_id="123456789012")
    dead = SyncRun.objects.create(account=prod, status="running", started=ago(700))
    SyncRun.objects.create(account=hub, status="running", started=ago(500))  # may still run
    result = sweeper.sweep(grace=30)
    assert sorted(result.syncs) == sorted([queued.pk, dead.pk])
    assert sorted(sent) == sorted([("sync", queued.pk), ("sync", dead.pk)])
    assert SyncRun.objects.get(pk=queued.pk).dispatch_attempts == 1
    assert AuditEvent.objects.filter(action="sync.redispatched").count() == 2
    # A queued run is sent again after 2 x grace since it was created, then 4 x ...
    # (the dead run is still "running" since nothing ran it here, so it goes again)
    sent.clear()
    sweeper.sweep(grace=30)
    assert sent == [("sync", dead.pk)]
    SyncRun.objects.filter(pk=queued.pk).update(created=ago(61))
    sent.clear()
    sweeper.sweep(grace=30)
    assert ("sync", queued.pk) in sent


def test_a_sync_run_past_the_limit_fails_and_says_why(sent, staging, operator, settings):
    settings.ROLECALL_SWEEPER_MAX_DISPATCHES = 1
    run = SyncRun.objects.create(account=staging, requested_by=operator, dispatch_attempts=1)
    SyncRun.objects.filter(pk=run.pk).update(created=ago(3600))
    result = sweeper.sweep(grace=30)
    assert result.gave_up_syncs == [run.pk] and sent == []
    run.refresh_from_db()
    assert run.status == "failed" and run.finished
    assert run.error["code"] == "SweeperGaveUp"
    event = AuditEvent.objects.get(action="sync.finished")
    assert event.outcome == "failure" and event.details["sweeper"] == "gave up"
    note = Notification.objects.get(user=operator)
    assert (note.level, note.title) == ("error", "Sync of acme-staging failed")


def test_the_beat_entry_runs_the_sweeper_task(settings):
    from roles.jobs.tasks import sweep

    assert settings.CELERY_BEAT_SCHEDULE["sweeper"] == {
        "task": "rolecall.sweeper.sweep",
        "schedule": settings.ROLECALL_SWEEPER_INTERVAL,
    }
    assert sweep.name == "rolecall.sweeper.sweep"

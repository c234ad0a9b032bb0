"""The cores read registries the features fill (roles/<feature>/ready.py): every kind of
approved change has its decision routes, its task and its queue; every task is
defined, routed and consumed; nothing publishes a name nobody registered."""

from __future__ import annotations

import pytest
from celery import current_app
from django.conf import settings
from django.db import transaction
from django.urls import resolve, reverse

from dashboard.celery import app
from roles import approval, jobs
from roles.approval import views as decision_views
from roles.audit.models import AuditEvent, UnknownAction
from roles.campaigns.kind import ADVANCE
from roles.core import inflight
from roles.deletion import outcomes

# The SQLite pass of .ci/run runs this module too (docs/testing.md).
pytestmark = pytest.mark.engine


def queue_of(task: str) -> str:
    return app.amqp.router.route({}, task)["queue"].name


def test_the_features_register_their_kinds_of_approved_change():
    assert sorted(approval.kinds()) == ["campaign", "cleanup", "deletion"]
    assert {k.prefix for k in approval.kinds().values() if k.versioned} == {"deletion", "campaign"}


@pytest.mark.parametrize("prefix", ["deletion", "cleanup", "campaign"])
def test_every_registered_kind_has_its_route_its_task_and_its_queue(prefix):
    kind = approval.kinds()[prefix]
    for verb in ("approve", "reject"):
        url = reverse(f"{prefix}-{verb}", args=[7])
        assert url == f"/{kind.path}/7/{verb}/"
        match = resolve(url)
        assert match.func is decision_views.decide
        assert match.kwargs == {"pk": 7, "kind": prefix, "approve": verb == "approve"}
    assert reverse(kind.detail, args=[7]) == f"/{kind.path}/7/"
    assert kind.task in current_app.tasks
    assert queue_of(kind.task) == jobs.registered()[kind.task] == jobs.CHANGES_QUEUE


def test_every_registered_task_is_defined_routed_and_consumed():
    consumed = set(settings.CELERY_TASK_QUEUES)
    for name, queue in jobs.registered().items():
        assert jobs.lookup(name).name == name
        assert queue_of(name) == queue, name
        assert queue in consumed, name


def test_every_task_of_ours_is_registered_with_a_queue():
    ours = {name for name in current_app.tasks if name.startswith("rolecall.")}
    assert ours == set(jobs.registered())


def test_every_beat_entry_names_a_registered_task():
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in jobs.registered(), entry


def test_the_sweeper_reads_every_feature_s_operation():
    names = [operation.name for operation in jobs.operations()]
    assert sorted(names) == ["campaign", "change", "cleanup", "deletion", "delivery", "sync"]


@pytest.mark.django_db
def test_every_operation_lists_and_claims_from_its_own_model():
    for operation in jobs.operations():
        assert operation.overdue(30) == []
        with transaction.atomic():
            assert operation.claim(1, 30) is None


def test_deletion_wakes_its_campaign_by_a_registered_task_name():
    assert outcomes.WAKE_CAMPAIGN == ADVANCE
    assert jobs.registered()[outcomes.WAKE_CAMPAIGN] == jobs.CHANGES_QUEUE


def test_changes_that_bind_an_account_are_registered():
    assert {kind.key for kind in inflight._BOUND.values()} == {"deletions", "plans"}


# --- an unknown task is a bug, raised, never a broker outage -----------------------


def test_publishing_an_unknown_task_raises_and_marks_nothing():
    marked = []
    with pytest.raises(jobs.UnknownTask, match="rolecall.deletion.sumbit"):
        jobs.publish("rolecall.deletion.sumbit", 1, on_failure=lambda: marked.append(1))
    assert marked == []


@pytest.mark.django_db
def test_an_unknown_task_after_commit_raises_inside_the_transaction():
    with pytest.raises(jobs.UnknownTask):
        with transaction.atomic():
            jobs.after_commit("rolecall.no.such.task", 1)


def test_a_name_registered_but_never_defined_is_unknown(monkeypatch):
    monkeypatch.setitem(jobs._TASKS, "rolecall.deletion.undefined", jobs.CHANGES_QUEUE)
    with pytest.raises(jobs.UnknownTask):
        jobs.publish("rolecall.deletion.undefined", 1)


def test_a_broker_outage_is_still_left_to_the_sweeper(monkeypatch):
    task = jobs.lookup(outcomes.WAKE_CAMPAIGN)

    def down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(task, "apply_async", down)
    marked = []
    assert jobs.publish(outcomes.WAKE_CAMPAIGN, 1, on_failure=lambda: marked.append(1)) is False
    assert marked == [1]


def test_a_task_cannot_be_registered_on_two_queues():
    with pytest.raises(ValueError, match="registered on 'changes' already"):
        jobs.register_task(ADVANCE, jobs.SYNC_QUEUE)


@pytest.mark.django_db
def test_the_audit_writer_refuses_an_unknown_action():
    with pytest.raises(UnknownAction, match="deletion.sumbitted"):
        AuditEvent.objects.record("deletion.sumbitted", details={"x": 1})
    assert not AuditEvent.objects.exists()

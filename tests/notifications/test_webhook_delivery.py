"""Webhook events (roles/notifications/webhook.py, delivery.py) sent to a real local HTTP
receiver: signed, Slack-compatible, retried when the receiver is down, slow or
failing, and never delivered twice once it answered 2xx."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from roles.jobs.sweeper import sweep
from roles.models import AuditEvent, Delivery
from roles.notifications import delivery, webhook
from roles.notifications.operation import DELIVERIES
from tests.support.outbound import SECRET, route, tell
from tests.support.outbound import webhook as make_webhook
from tests.support.receivers import Received, closed_port, http_receiver, verify

# The SQLite pass of .ci/run runs this module too (docs/testing.md).
pytestmark = pytest.mark.engine

State = Delivery.State


@pytest.fixture(autouse=True)
def local_receivers(settings):
    # The receivers listen on 127.0.0.1 over http: allowed in demo mode only
    # (tests/notifications/test_webhook_addresses.py attacks production mode).
    settings.ROLECALL_DEMO = True
    settings.ROLECALL_BASE_URL = "https://rolecall.example.com"


def queued(user, url: str, **kwargs) -> Delivery:
    hook = make_webhook(url)
    route(user, webhooks=[hook])
    (row,) = tell([user], **kwargs)
    return row


def due(row: Delivery) -> None:
    Delivery.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())


def test_it_posts_a_signed_event_a_receiver_can_verify(operator):
    with http_receiver() as receiver:
        row = queued(operator, receiver.url)
        assert delivery.deliver(row.pk) == State.DELIVERED
        (received,) = receiver.requests
    event = json.loads(received.body)
    assert event["id"] == str(row.event_id) == received.headers["X-Rolecall-Event-Id"]
    assert event["type"] == "deletion_outcome" and event["level"] == "info"
    assert event["title"] == "Deletion of R in acme-prod succeeded"
    assert event["url"] == "https://rolecall.example.com/deletions/7/"
    assert event["text"] == (
        "*Deletion of R in acme-prod succeeded*\n3 regions checked.\n"
        "<https://rolecall.example.com/deletions/7/|Open in rolecall>"
    )
    assert received.headers["Content-Type"] == "application/json"
    assert received.headers["X-Rolecall-Signature"].startswith("v1=")
    assert verify(SECRET, received)
    assert not verify("whsec_another", received)
    tampered = Received(received.path, received.headers, received.body.replace(b"R ", b"X "))
    assert not verify(SECRET, tampered)
    row.refresh_from_db()
    assert (row.status_code, row.attempts) == (200, 1) and row.latency_ms is not None


def test_slack_text_escapes_markup_from_untrusted_names():
    text = webhook.slack_text(
        {"title": "<!channel> R&D <https://evil.example|click>", "body": "", "url": ""}
    )
    assert text == "*&lt;!channel&gt; R&amp;D &lt;https://evil.example|click&gt;*"


def test_a_receiver_that_is_down_loses_no_event(operator):
    port = closed_port()
    row = queued(operator, f"http://127.0.0.1:{port}/hook")
    assert delivery.deliver(row.pk) == State.PENDING
    row.refresh_from_db()
    assert row.attempts == 1 and "ConnectionRefusedError" in row.error
    assert row.next_attempt_at > timezone.now()
    with http_receiver(port=port) as receiver:
        due(row)
        assert delivery.deliver(row.pk) == State.DELIVERED
        (received,) = receiver.requests
    assert received.headers["X-Rolecall-Event-Id"] == str(row.event_id)


def test_a_slow_receiver_times_out_and_is_retried(operator, settings):
    settings.ROLECALL_WEBHOOK_TIMEOUT = 0.3
    with http_receiver(delays=[1.0]) as receiver:
        row = queued(operator, receiver.url)
        assert delivery.deliver(row.pk) == State.PENDING
        row.refresh_from_db()
        assert row.error.startswith("timed out") and row.status_code is None
        due(row)
        assert delivery.deliver(row.pk) == State.DELIVERED
        first, second = receiver.requests
    # The same event, signed again at its own time: the receiver drops the repeat by id.
    assert first.body == second.body
    assert first.headers["X-Rolecall-Event-Id"] == second.headers["X-Rolecall-Event-Id"]


@pytest.mark.parametrize("status", [500, 404, 302])
def test_an_answer_other_than_2xx_is_a_failed_attempt(operator, status):
    with http_receiver(statuses=[status, 204]) as receiver:
        row = queued(operator, receiver.url)
        assert delivery.deliver(row.pk) == State.PENDING
        row.refresh_from_db()
        assert row.status_code == status and row.error.startswith(f"HTTP {status}")
        due(row)
        assert delivery.deliver(row.pk) == State.DELIVERED
        assert len(receiver.requests) == 2  # a redirect is never followed


def test_attempts_are_bounded_and_the_end_is_audited(operator, settings):
    settings.ROLECALL_DELIVERY_MAX_ATTEMPTS = 2
    with http_receiver(statuses=[503]) as receiver:
        row = queued(operator, receiver.url)
        delivery.deliver(row.pk)
        due(row)
        assert delivery.deliver(row.pk) == State.FAILED
        due(row)
        assert delivery.deliver(row.pk) == "not pending"
        assert len(receiver.requests) == 2
    event = AuditEvent.objects.get(action="webhook.delivery_failed")
    assert event.details["attempts"] == 2 and event.details["status_code"] == 503


def test_a_long_wait_is_left_to_the_sweeper(operator, settings, monkeypatch):
    settings.ROLECALL_DELIVERY_BACKOFF_START = 60  # above ROLECALL_POLL_BACKOFF_CAP
    sent = []
    monkeypatch.setattr("roles.jobs.publish", lambda name, *args, **kw: sent.append(args) or True)
    row = queued(operator, f"http://127.0.0.1:{closed_port()}/hook")
    delivery.deliver(row.pk)
    assert sent == []  # no countdown message for a wait this long
    Delivery.objects.filter(pk=row.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=61)
    )
    result = sweep(grace=30, operations=(DELIVERIES,))
    assert result.sent == {"delivery": [row.pk]} and sent == [(row.pk,)]
    row.refresh_from_db()
    assert row.dispatch_attempts == 1
    assert sweep(grace=30, operations=(DELIVERIES,)).empty  # not again within the grace


def test_the_sweeper_gives_up_on_a_delivery_no_worker_moves_on(operator, settings, monkeypatch):
    settings.ROLECALL_SWEEPER_MAX_DISPATCHES = 2
    monkeypatch.setattr("roles.jobs.publish", lambda *args, **kw: True)
    row = queued(operator, "http://127.0.0.1:9/hook")
    for _ in range(3):
        Delivery.objects.filter(pk=row.pk).update(
            next_attempt_at=timezone.now() - timedelta(seconds=60)
        )
        result = sweep(grace=30, operations=(DELIVERIES,))
    assert result.gave_up == {"delivery": [row.pk]}
    row.refresh_from_db()
    assert row.state == State.FAILED and "sweeper" in row.error
    assert AuditEvent.objects.filter(action="webhook.delivery_failed").count() == 1


def test_a_disabled_webhook_is_sent_nothing(operator):
    with http_receiver() as receiver:
        row = queued(operator, receiver.url)
        row.webhook.enabled = False
        row.webhook.save(update_fields=["enabled"])
        assert delivery.deliver(row.pk) == State.FAILED
        assert receiver.connections == 0


@pytest.mark.django_db(transaction=True)
def test_a_duplicate_message_while_sending_does_nothing(operator):
    """The claim is FOR NO KEY UPDATE SKIP LOCKED: a second task for the row while the
    first is still waiting on the receiver sends nothing, and neither does a later one."""
    with http_receiver(delays=[1.0]) as receiver:
        row = queued(operator, receiver.url)
        results = {}

        def first() -> None:
            try:
                results["first"] = delivery.deliver(row.pk)
            finally:
                connection.close()

        thread = threading.Thread(target=first)
        thread.start()
        receiver.wait_for(1)  # the first holds the row and waits for the answer
        results["duplicate"] = delivery.deliver(row.pk)
        thread.join(10)
        results["late"] = delivery.deliver(row.pk)
        assert len(receiver.requests) == 1
    assert results == {"first": State.DELIVERED, "duplicate": "not pending", "late": "not pending"}

"""Email and webhook deliveries through a real Celery worker, to a real SMTP server
and real HTTP receivers: one down at first, none hearing an event twice."""

from __future__ import annotations

import time

import pytest

from roles import jobs
from roles.models import Delivery, Webhook
from roles.notifications.routing import EMAIL_TASK, WEBHOOK_TASK
from tests.support.outbound import SECRET, route, tell, webhook
from tests.support.receivers import closed_port, http_receiver, smtp_server, verify

# Committed rows (the worker has its own connection), published after each commit.
pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def outbound_worker(transactional_db, request, monkeypatch):
    # Settings for the worker process (tests/support/processes.py copies the
    # environment): local receivers (demo mode), retries every second, the SMTP server.
    box = request.getfixturevalue("smtp")
    monkeypatch.setenv("ROLECALL_DEMO", "true")
    monkeypatch.setenv("ROLECALL_DELIVERY_BACKOFF_START", "1")
    monkeypatch.setenv("ROLECALL_DELIVERY_BACKOFF_CAP", "1")
    monkeypatch.setenv("EMAIL_URL", f"smtp://127.0.0.1:{box.port}")
    return request.getfixturevalue("worker")


@pytest.fixture
def smtp():
    with smtp_server() as box:
        yield box


def wait_until(check, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_every_receiver_gets_each_event_once_even_one_that_was_down(
    smtp, outbound_worker, operator
):
    operator.email = "alice@example.com"
    operator.save(update_fields=["email"])
    down_port = closed_port()
    with http_receiver() as up:
        hooks = [
            webhook(up.url, name="up"),
            webhook(f"http://127.0.0.1:{down_port}/h", name="down"),
        ]
        route(operator, email=True, webhooks=hooks)
        rows = {(r.channel, r.webhook.name if r.webhook else ""): r for r in tell([operator])}
        assert set(rows) == {("email", ""), ("webhook", "up"), ("webhook", "down")}

        (received,) = up.wait_for(1)
        assert verify(SECRET, received)
        (mail,) = smtp.wait_for(1)
        assert mail["To"] == "alice@example.com"

        down = rows[("webhook", "down")]
        wait_until(lambda: Delivery.objects.get(pk=down.pk).attempts >= 1)
        assert Delivery.objects.get(pk=down.pk).state == "pending"
        with http_receiver(port=down_port) as back:
            (late,) = back.wait_for(1)
            wait_until(lambda: Delivery.objects.get(pk=down.pk).state == "delivered")
        assert late.headers["X-Rolecall-Event-Id"] == received.headers["X-Rolecall-Event-Id"]

        # A duplicate message for a delivered row sends nothing; the worker takes one
        # message at a time, so the marker after it arrives only once it was handled.
        jobs.publish(WEBHOOK_TASK, rows[("webhook", "up")].pk)
        jobs.publish(EMAIL_TASK, rows[("email", "")].pk)
        Webhook.objects.filter(pk=hooks[1].pk).update(enabled=False)
        (marker,) = tell([operator], title="marker")[1:]
        assert marker.webhook.name == "up"
        up.wait_for(2)
        assert b"marker" in up.requests[1].body and len(up.requests) == 2
        smtp.wait_for(2)
        assert [m["Subject"] for m in smtp.messages][1:] == ["[rolecall] marker"]
    assert set(Delivery.objects.values_list("state", flat=True)) == {"delivered"}

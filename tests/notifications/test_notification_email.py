"""Notification emails (roles/notifications/email.py) sent to a real SMTP server (aiosmtpd)."""

from __future__ import annotations

from contextlib import ExitStack

import pytest
from django.utils import timezone

from roles.models import AuditEvent, Delivery
from roles.notifications import delivery
from roles.notifications.tasks import send_email
from tests.support.outbound import route, tell
from tests.support.receivers import closed_port, smtp_server


@pytest.fixture
def mail(settings):
    """Point Django's SMTP backend at a server the test starts; yields its mailbox."""

    def start(*refusals: str):
        mailbox = stack.enter_context(smtp_server(*refusals))
        settings.EMAIL_PORT = mailbox.port
        return mailbox

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_TIMEOUT = "127.0.0.1", 5
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.DEFAULT_FROM_EMAIL = "rolecall@example.com"
    settings.ROLECALL_BASE_URL = "https://rolecall.example.com"
    with ExitStack() as stack:
        yield start


@pytest.fixture
def alice(operator):
    operator.email = "alice@example.com"
    operator.save(update_fields=["email"])
    route(operator, email=True)
    return operator


def due(row: Delivery) -> None:
    Delivery.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())


def test_it_mails_plain_text_and_html_with_a_link_back(mail, alice):
    box = mail()
    (row,) = tell([alice])
    assert delivery.deliver(row.pk) == Delivery.State.DELIVERED
    (message,) = box.wait_for(1)
    assert message["To"] == "alice@example.com"
    assert message["From"] == "rolecall@example.com"
    assert message["Subject"] == "[rolecall] Deletion of R in acme-prod succeeded"
    assert message["X-Rolecall-Event-Id"] == str(row.event_id)
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "3 regions checked." in text
    assert "https://rolecall.example.com/deletions/7/" in text
    assert '<a href="https://rolecall.example.com/deletions/7/">' in html
    assert "https://rolecall.example.com/settings/notifications/" in text
    row.refresh_from_db()
    assert row.attempts == 1 and row.delivered_at is not None and row.latency_ms is not None


def test_it_escapes_untrusted_text_in_the_html_part(mail, alice):
    box = mail()
    (row,) = tell([alice], title="<script>alert(1)</script>\u202eevil")
    delivery.deliver(row.pk)
    (message,) = box.wait_for(1)
    html = message.get_body(("html",)).get_content()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "\u202e" not in message["Subject"] and "\\u202e" in message["Subject"]


def test_a_temporary_refusal_is_retried_after_a_backoff(
    mail, alice, django_capture_on_commit_callbacks, monkeypatch
):
    box = mail("451 Try again later")
    (row,) = tell([alice])
    sent = []
    monkeypatch.setattr(
        "roles.jobs.publish", lambda name, *args, countdown=0, **kw: sent.append(countdown)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert delivery.deliver(row.pk) == Delivery.State.PENDING
    row.refresh_from_db()
    assert row.attempts == 1 and "451" in row.error
    wait = (row.next_attempt_at - row.last_attempt_at).total_seconds()
    assert wait == pytest.approx(10, abs=0.5) and sent == [10]
    assert delivery.deliver(row.pk) == "not due"  # an early message sends nothing
    due(row)
    assert delivery.deliver(row.pk) == Delivery.State.DELIVERED
    assert len(box.wait_for(1)) == 1


def test_a_permanent_refusal_is_not_retried(mail, alice):
    mail("550 No such user here")
    (row,) = tell([alice])
    assert delivery.deliver(row.pk) == Delivery.State.FAILED
    row.refresh_from_db()
    assert "550" in row.error and row.next_attempt_at is None
    assert AuditEvent.objects.get(action="notification.email_failed").details["user"] == "alice"


def test_a_mail_server_that_is_down_is_tried_a_bounded_number_of_times(mail, alice, settings):
    settings.EMAIL_PORT = closed_port()
    settings.ROLECALL_DELIVERY_MAX_ATTEMPTS = 3
    (row,) = tell([alice])
    for expected in ("pending", "pending", "failed"):
        due(row)
        assert delivery.deliver(row.pk) == expected
    row.refresh_from_db()
    assert row.attempts == 3 and "ConnectionRefusedError" in row.error
    assert AuditEvent.objects.filter(action="notification.email_failed").count() == 1


def test_a_duplicate_task_message_sends_one_email(mail, alice):
    box = mail()
    (row,) = tell([alice])
    assert send_email.apply(args=[row.pk]).get() == Delivery.State.DELIVERED
    assert send_email.apply(args=[row.pk]).get() == "not pending"
    assert len(box.wait_for(1)) == 1


def test_backoff_doubles_up_to_the_cap(settings):
    settings.ROLECALL_DELIVERY_BACKOFF_START, settings.ROLECALL_DELIVERY_BACKOFF_CAP = 10, 60
    assert [delivery.wait(n) for n in range(1, 6)] == [10, 20, 40, 60, 60]

"""Notification emails through Django's email framework (settings EMAIL_*).

Plain text with an HTML alternative, both from templates/email/, each with a
link back to the page. A mail server that is down, slow or answers 4xx is tried
again (roles/notifications/delivery.py); one that refuses the message for good (5xx)
is not.
"""

from __future__ import annotations

import smtplib
import time

from django.conf import settings
from django.core.mail import BadHeaderError, EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from roles.notifications.models import Delivery, NotificationKind
from roles.notifications.result import Result
from roles.notifications.routing import absolute
from roles.web.text import make_visible


def message(row: Delivery) -> EmailMultiAlternatives:
    event = row.payload
    # One line, control and invisible characters shown: AWS-sourced names are untrusted.
    subject = f"[rolecall] {make_visible(event['title'])}"[:250]
    ctx = {
        "event": event,
        "kind": NotificationKind(row.kind).label if row.kind in NotificationKind else row.kind,
        "settings_url": absolute(reverse("notification-settings")),
    }
    mail = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("email/notification.txt", ctx),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[row.user.email],
        headers={"X-Rolecall-Event-Id": str(row.event_id)},
    )
    mail.attach_alternative(render_to_string("email/notification.html", ctx), "text/html")
    return mail


def _permanent(exc: Exception) -> bool:
    code = getattr(exc, "smtp_code", None)
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [answer[0] for answer in exc.recipients.values()]
        return all(500 <= c < 600 for c in codes)
    return isinstance(code, int) and 500 <= code < 600


def send(row: Delivery) -> Result:
    """One attempt at mailing `row` to its user."""
    user = row.user
    if user is None or not user.is_active or not user.email:
        return Result(ok=False, error="Not sent: the user has no email address.", retry=False)
    started = time.monotonic()
    try:
        message(row).send()
    except BadHeaderError as exc:
        return Result(ok=False, error=f"Not sent: {exc}", retry=False)
    except (smtplib.SMTPException, OSError) as exc:
        elapsed = round((time.monotonic() - started) * 1000)
        error = f"{type(exc).__name__}: {exc}"[:500]
        return Result(ok=False, latency_ms=elapsed, error=error, retry=not _permanent(exc))
    return Result(ok=True, latency_ms=round((time.monotonic() - started) * 1000))

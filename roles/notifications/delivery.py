"""Sending one delivery (an email or a webhook event), exactly once when it succeeds.

The task claims the row under FOR NO KEY UPDATE (SKIP LOCKED: a duplicate message
while it is being sent does nothing), sends, and writes the outcome in that same
transaction. A receiver that answered 2xx is marked delivered before the lock is
released, so a duplicate or late message finds the row delivered and sends
nothing. A worker that dies mid-send rolls the claim back: the row is still
pending and the sweeper sends it again (roles/notifications/operation.py); receivers
drop such a repeat by its event id.

A failed attempt is retried after 10 s, 20 s, 40 s ... (ROLECALL_DELIVERY_BACKOFF_*)
up to ROLECALL_DELIVERY_MAX_ATTEMPTS attempts, then the row fails and that is
audited. Short waits are task countdowns; longer ones are left to the sweeper.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from roles import jobs
from roles.audit.models import AuditEvent, Outcome
from roles.notifications.models import Delivery
from roles.notifications.result import Result
from roles.notifications.routing import TASKS

log = logging.getLogger(__name__)
State = Delivery.State


def wait(attempts: int) -> int:
    """Seconds before the next attempt, after `attempts` failed ones."""
    start, cap = settings.ROLECALL_DELIVERY_BACKOFF_START, settings.ROLECALL_DELIVERY_BACKOFF_CAP
    return min(start * 2 ** max(attempts - 1, 0), cap)


def _claim(pk: int) -> Delivery | None:
    return (
        Delivery.objects.select_for_update(no_key=True, skip_locked=True, of=("self",))
        .select_related("webhook", "user")
        .filter(pk=pk, state=State.PENDING)
        .first()
    )


def deliver(pk: int) -> str:
    """Send delivery `pk` if it is pending and due; its state afterwards."""
    from roles.notifications import email, webhook

    senders = {Delivery.Channel.EMAIL: email.send, Delivery.Channel.WEBHOOK: webhook.send}
    with transaction.atomic():
        row = _claim(pk)
        if row is None:
            return "not pending"
        early = timedelta(seconds=settings.ROLECALL_POLL_EARLY_TOLERANCE)
        if row.next_attempt_at and row.next_attempt_at > timezone.now() + early:
            return "not due"  # a stray early message; the due one (or the sweeper) follows
        result = senders[row.channel](row)
        record(row, result)
    return row.state


def record(row: Delivery, result: Result) -> None:
    """Write the attempt's outcome (in the claim's transaction) and schedule what follows."""
    now = timezone.now()
    row.attempts += 1
    row.dispatch_attempts = 0
    row.last_attempt_at = now
    row.status_code, row.latency_ms = result.status_code, result.latency_ms
    row.error = result.error[:2000]
    row.next_attempt_at = None
    if result.ok:
        row.state, row.delivered_at = State.DELIVERED, now
    elif result.refused:
        row.state = State.REFUSED
    elif not result.retry or row.attempts >= settings.ROLECALL_DELIVERY_MAX_ATTEMPTS:
        row.state = State.FAILED
    else:
        delay = wait(row.attempts)
        row.next_attempt_at = now + timedelta(seconds=delay)
        if delay <= settings.ROLECALL_POLL_BACKOFF_CAP:
            jobs.after_commit(task(row), row.pk, countdown=delay)
    row.save(
        update_fields=[
            "attempts",
            "dispatch_attempts",
            "last_attempt_at",
            "status_code",
            "latency_ms",
            "error",
            "next_attempt_at",
            "state",
            "delivered_at",
        ]
    )
    if row.state in (State.FAILED, State.REFUSED):
        audit_end(row)


def task(row: Delivery) -> str:
    return TASKS[row.channel]


# The audit action of a delivery that ended without arriving, by channel and state.
ENDED = {
    (Delivery.Channel.EMAIL, State.FAILED): "notification.email_failed",
    (Delivery.Channel.WEBHOOK, State.FAILED): "webhook.delivery_failed",
    (Delivery.Channel.WEBHOOK, State.REFUSED): "webhook.delivery_refused",
}


def audit_end(row: Delivery) -> None:
    """A delivery that will never arrive is worth an audit event: someone missed it."""
    AuditEvent.objects.record(
        ENDED[(row.channel, row.state)],
        outcome=Outcome.DENIED if row.state == State.REFUSED else Outcome.FAILURE,
        details={
            "delivery": row.pk,
            "event_id": str(row.event_id),
            "kind": row.kind,
            **({"webhook": row.webhook.name} if row.webhook else {}),
            **({"user": row.user.get_username()} if row.user else {}),
            "attempts": row.attempts,
            "status_code": row.status_code,
            "error": row.error,
        },
    )

"""From notify() to deliveries: who asked for email, which webhooks hear of it.

A webhook is the team's, not one person's: it gets an event once when any of its
recipients routes that kind to it, however many do. Email goes to each recipient
who asked for it and has an address. Reading the routes of N recipients is two
queries (the routes, and their enabled webhooks), and the deliveries are one
insert; their tasks are published only once the transaction commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from django.conf import settings
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone

from roles import jobs
from roles.notifications.models import Delivery, Notification, NotificationRoute, Webhook

Channel = Delivery.Channel
# Each channel's task (roles/notifications/tasks.py), on the default queue (ready.py).
EMAIL_TASK, WEBHOOK_TASK = "rolecall.outbound.email", "rolecall.outbound.webhook"


def absolute(link: str) -> str:
    """A page's path as the address people open (ROLECALL_BASE_URL), or the path alone."""
    if not link or "://" in link:
        return link
    return f"{settings.ROLECALL_BASE_URL}{link}"


def event(event_id: uuid.UUID, kind: str, note: Notification) -> dict:
    """The event every channel sends: the webhook body (before `text`), the email's content."""
    return {
        "id": str(event_id),
        "type": kind,
        "level": note.level,
        "title": note.title,
        "body": note.body,
        "url": absolute(note.link),
        "created": timezone.now().isoformat(),
    }


def queue(kind: str, notes: Sequence[Notification]) -> list[Delivery]:
    """Write the deliveries `notes` (one notify() call) ask for; publish them after commit."""
    users = {note.user_id: note.user for note in notes}
    if not users:
        return []
    routes = list(
        NotificationRoute.objects.filter(user_id__in=users, kind=kind).prefetch_related(
            Prefetch("webhooks", queryset=Webhook.objects.filter(enabled=True).only("pk"))
        )
    )
    if not routes:
        return []
    event_id = uuid.uuid4()
    payload = event(event_id, kind, notes[0])
    now = timezone.now()
    rows: list[Delivery] = []
    hooks: set[int] = set()
    for route in routes:
        user = users[route.user_id]
        if route.email and user.is_active and user.email:
            rows.append(_row(Channel.EMAIL, event_id, kind, payload, now, user=user))
        hooks.update(hook.pk for hook in route.webhooks.all())
    rows += [
        _row(Channel.WEBHOOK, event_id, kind, payload, now, webhook_id=pk) for pk in sorted(hooks)
    ]
    Delivery.objects.bulk_create(rows)
    for row in rows:
        jobs.after_commit(TASKS[row.channel], row.pk)
    return rows


def _row(channel: str, event_id, kind: str, payload: dict, now, **receiver) -> Delivery:
    return Delivery(
        channel=channel,
        event_id=event_id,
        kind=kind,
        payload=payload,
        next_attempt_at=now,
        **receiver,
    )


def test_event(webhook: Webhook, user) -> Delivery:
    """An administrator's "Send a test event": one delivery to `webhook` alone."""
    note = Notification(
        level=Notification.Level.INFO,
        title=f"Test event for {webhook.name}",
        body=f"Sent by {user.get_username()} to check the receiver.",
        link=reverse("webhook-detail", args=[webhook.pk]),
    )
    event_id = uuid.uuid4()
    row = _row(
        Channel.WEBHOOK,
        event_id,
        "test",
        event(event_id, "test", note),
        timezone.now(),
        webhook=webhook,
    )
    row.save(force_insert=True)
    jobs.after_commit(WEBHOOK_TASK, row.pk)
    return row


TASKS = {Channel.EMAIL: EMAIL_TASK, Channel.WEBHOOK: WEBHOOK_TASK}

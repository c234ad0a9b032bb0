"""Notifications: the in-app list, and what is sent outside the browser (where each
user wants each kind, the team's webhooks, and one row per message to send)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class Notification(models.Model):
    class Level(models.TextChoices):
        INFO = "info"
        SUCCESS = "success"
        WARNING = "warning"
        ERROR = "error"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    level = models.CharField(max_length=16, choices=Level.choices, default=Level.INFO)
    # roles/notifications/models.py NotificationKind: picks the user's email and webhook routes.
    kind = models.CharField(max_length=32, blank=True)
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=500, blank=True)
    # A second link, e.g. "View resources" next to "View details".
    secondary_link = models.CharField(max_length=500, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # An "Approval needed" notification whose request was decided
    # (roles/notifications/notify.py resolve()).
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_unread")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.title}"


class NotificationKind(models.TextChoices):
    """What a notification is about; every caller of notify() (roles/notifications/notify.py)
    names one."""

    DELETION_OUTCOME = "deletion_outcome", "Deletion outcome"
    APPROVAL_NEEDED = "approval_needed", "Approval needed"
    SYNC_FAILURE = "sync_failure", "Sync failure"
    RECREATED_ROLE = "recreated_role", "Recreated role"
    CAMPAIGN_FINISHED = "campaign_finished", "Campaign finished"
    API_TOKEN_REVOKED = "api_token_revoked", "Your API token revoked by an administrator"


class Webhook(models.Model):
    """A receiver the team's administrators added; users route kinds to it."""

    name = models.CharField(max_length=100, unique=True)
    url = models.URLField(max_length=500)
    # Kept as is because every delivery is signed with it (HMAC-SHA256); shown once,
    # when it is generated, and never again (roles/notifications/views/webhooks.py).
    secret = models.CharField(max_length=100, editable=False)
    secret_set = models.DateTimeField()
    enabled = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class NotificationRoute(models.Model):
    """Where one user's notifications of one kind go besides the in-app list.

    No row means the in-app list only: email and webhooks are opt-in.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_routes"
    )
    kind = models.CharField(max_length=32, choices=NotificationKind.choices)
    email = models.BooleanField(default=False)
    webhooks = models.ManyToManyField(Webhook, blank=True, related_name="routes")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_route_user_kind")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.kind}"


class Delivery(models.Model):
    """One event to send to one receiver (an email address or a webhook).

    The row is written in the transaction that writes the notification, before
    anything is sent, so a lost task message loses nothing (the sweeper sends it
    again) and a rolled-back notification sends nothing.
    """

    class Channel(models.TextChoices):
        EMAIL = "email"
        WEBHOOK = "webhook"

    class State(models.TextChoices):
        PENDING = "pending"
        DELIVERED = "delivered"
        FAILED = "failed"  # every attempt failed, or a permanent error
        REFUSED = "refused"  # the address is not allowed (roles/notifications/address.py)

    channel = models.CharField(max_length=16, choices=Channel.choices)
    # One id per notify() call, shared by its email and webhook deliveries: receivers
    # see it as X-Rolecall-Event-Id and drop a repeat.
    event_id = models.UUIDField(default=uuid.uuid4)
    kind = models.CharField(max_length=32)
    webhook = models.ForeignKey(
        Webhook, on_delete=models.CASCADE, null=True, blank=True, related_name="deliveries"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # The event as sent: each attempt sends the same bytes.
    payload = models.JSONField()
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    # Sweeper re-sends since the last attempt (roles/notifications/operation.py).
    dispatch_attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["webhook", "event_id"],
                condition=Q(webhook__isnull=False),
                name="delivery_once_per_webhook",
            ),
            models.UniqueConstraint(
                fields=["user", "event_id"],
                condition=Q(user__isnull=False),
                name="delivery_once_per_user",
            ),
        ]
        indexes = [
            models.Index(fields=["webhook", "-created", "-id"], name="delivery_webhook_log"),
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(state="pending"),
                name="delivery_pending_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.event_id} {self.state}"

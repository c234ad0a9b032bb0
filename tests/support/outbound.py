"""Webhooks, routes and notifications for the outbound notification tests."""

from __future__ import annotations

from django.utils import timezone

from roles.models import Delivery, NotificationRoute, Webhook
from roles.notifications.notify import notify

SECRET = "whsec_tests-only-secret"


def webhook(url: str, name: str = "ops-chat", **fields) -> Webhook:
    return Webhook.objects.create(
        name=name, url=url, secret=SECRET, secret_set=timezone.now(), **fields
    )


def route(user, kind: str = "deletion_outcome", *, email: bool = False, webhooks=()) -> None:
    row, _ = NotificationRoute.objects.update_or_create(
        user=user, kind=kind, defaults={"email": email}
    )
    row.webhooks.set(webhooks)


def tell(
    users, kind: str = "deletion_outcome", title: str = "Deletion of R in acme-prod succeeded"
):
    """notify() as a deletion's end would; the deliveries it wrote."""
    before = set(Delivery.objects.values_list("pk", flat=True))
    notify(users, title, kind=kind, body="3 regions checked.", link="/deletions/7/")
    return list(Delivery.objects.exclude(pk__in=before).order_by("pk"))

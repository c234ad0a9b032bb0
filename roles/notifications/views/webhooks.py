"""/webhooks/: the team's webhook receivers and their delivery logs (administrators).

Saving a URL or a secret needs a fresh password (roles/access/reauth.py). rolecall
generates each secret and shows it once, in the answer to the POST that made it;
it is never shown again (rotate it to get a new one). The audit history, which
every member reads, names a webhook's host but never its full URL: a Slack
incoming webhook's path is itself a credential.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from roles.access import permissions, reauth
from roles.audit.models import AuditEvent
from roles.notifications.forms import WebhookForm
from roles.notifications.models import Delivery, Webhook
from roles.notifications.routing import test_event
from roles.notifications.webhook import new_secret
from roles.web import params

LOG_PAGE = 50
ACTIONS = ("disable", "enable", "delete", "rotate", "test")


def _host(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or ''}"


def _described(hook) -> dict:
    """What the audit history says of a webhook (a Webhook, or _state() of one)."""
    if isinstance(hook, dict):
        return {"webhook": hook["name"], "host": _host(hook["url"]), "enabled": hook["enabled"]}
    return {"webhook": hook.name, "host": _host(hook.url), "enabled": hook.enabled}


def _state(hook: Webhook) -> dict:
    return {"name": hook.name, "url": hook.url, "enabled": hook.enabled}


def _admin(request: HttpRequest, attempted: str) -> HttpResponse | None:
    """403 (audited) unless an administrator; a redirect to /reauth/ unless the
    password is fresh (webhook settings decide where role names are sent)."""
    permissions.require(request, permissions.can_admin, attempted)
    return reauth.require_fresh(request)


@require_GET
def webhook_list(request: HttpRequest) -> HttpResponse:
    permissions.require(request, permissions.can_admin, "webhook.viewed")
    hooks = Webhook.objects.annotate(
        pending=Count("deliveries", filter=Q(deliveries__state=Delivery.State.PENDING)),
        failed=Count(
            "deliveries",
            filter=Q(deliveries__state__in=[Delivery.State.FAILED, Delivery.State.REFUSED]),
        ),
    )
    return render(request, "webhooks/list.html", {"webhooks": hooks})


def _secret_page(request: HttpRequest, hook: Webhook, secret: str) -> HttpResponse:
    # Rendered in the POST's own answer (never stored in a message or a cookie).
    return render(request, "webhooks/secret.html", {"webhook": hook, "secret": secret})


@require_http_methods(["GET", "POST"])
def webhook_add(request: HttpRequest) -> HttpResponse:
    stale = _admin(request, "webhook.added")
    if stale:
        return stale
    form = WebhookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        secret = new_secret()
        with transaction.atomic():
            hook = form.save(commit=False)
            hook.secret, hook.secret_set, hook.created_by = secret, timezone.now(), request.user
            hook.save()
            AuditEvent.objects.record("webhook.added", request=request, details=_described(hook))
        return _secret_page(request, hook, secret)
    status = 400 if form.errors else 200
    return render(request, "webhooks/form.html", {"form": form, "webhook": None}, status=status)


@require_GET
def webhook_detail(request: HttpRequest, pk: int) -> HttpResponse:
    permissions.require(request, permissions.can_admin, "webhook.viewed")
    hook = get_object_or_404(Webhook, pk=pk)
    number = params.integer(request.GET, "page", default=1, minimum=1)
    deliveries = Delivery.objects.filter(webhook=hook).order_by("-created", "-id")
    page = Paginator(deliveries, LOG_PAGE).get_page(number)
    return render(request, "webhooks/detail.html", {"webhook": hook, "page": page})


@require_http_methods(["GET", "POST"])
def webhook_edit(request: HttpRequest, pk: int) -> HttpResponse:
    hook = get_object_or_404(Webhook, pk=pk)
    stale = _admin(request, "webhook.changed")
    if stale:
        return stale
    before = _state(hook)
    form = WebhookForm(request.POST or None, instance=hook)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            hook = form.save()
            after = _state(hook)
            changed = sorted(key for key in after if after[key] != before[key])
            details = {"changed": changed, "before": _described(before), "after": _described(hook)}
            AuditEvent.objects.record("webhook.changed", request=request, details=details)
        messages.info(request, "Webhook saved.")
        return redirect("webhook-detail", hook.pk)
    status = 400 if form.errors else 200
    return render(request, "webhooks/form.html", {"form": form, "webhook": hook}, status=status)


@require_POST
def webhook_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    hook = get_object_or_404(Webhook, pk=pk)
    stale = _admin(request, f"webhook.{action}")
    if stale:
        return stale
    with transaction.atomic():
        hook = Webhook.objects.select_for_update(no_key=True).get(pk=hook.pk)
        if action == "delete":
            AuditEvent.objects.record("webhook.deleted", request=request, details=_described(hook))
            hook.delete()
            messages.info(request, f"Webhook {hook.name} deleted, with its delivery log.")
            return redirect("webhooks")
        if action == "rotate":
            secret = new_secret()
            hook.secret, hook.secret_set = secret, timezone.now()
            hook.save(update_fields=["secret", "secret_set", "updated"])
            AuditEvent.objects.record(
                "webhook.secret_rotated", request=request, details=_described(hook)
            )
            return _secret_page(request, hook, secret)
        if action == "test":
            row = test_event(hook, request.user)
            AuditEvent.objects.record(
                "webhook.tested", request=request, details={**_described(hook), "delivery": row.pk}
            )
            messages.info(request, "Test event queued; its delivery is in the log below.")
        else:
            hook.enabled = action == "enable"
            hook.save(update_fields=["enabled", "updated"])
            AuditEvent.objects.record(
                "webhook.enabled" if hook.enabled else "webhook.disabled",
                request=request,
                details=_described(hook),
            )
    return redirect(reverse("webhook-detail", args=[hook.pk]))

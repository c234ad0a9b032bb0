"""/settings/notifications/: where each kind of the signed-in user's notifications goes.

The in-app list always gets everything; email and the team's webhooks are chosen
per kind (roles/notifications/routing.py reads the choice). Only one's own settings:
the page takes no user id.
"""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from roles.audit.models import AuditEvent
from roles.notifications.forms import RoutesForm, current
from roles.notifications.models import NotificationKind, NotificationRoute, Webhook


def _routes(user) -> dict[str, NotificationRoute]:
    rows = NotificationRoute.objects.filter(user=user).prefetch_related("webhooks")
    return {route.kind: route for route in rows}


@require_http_methods(["GET", "POST"])
def notification_settings(request: HttpRequest) -> HttpResponse:
    webhooks = list(Webhook.objects.filter(enabled=True).only("pk", "name"))
    routes = _routes(request.user)
    form = RoutesForm(request.POST or None, user=request.user, webhooks=webhooks, routes=routes)
    if request.method == "POST" and form.is_valid():
        before, after = current(routes, webhooks), form.chosen()
        if before == after:
            messages.info(request, "Nothing changed.")
            return redirect("notification-settings")
        with transaction.atomic():
            _save(request.user, routes, webhooks, after)
            AuditEvent.objects.record(
                "notification.routes_changed",
                request=request,
                details={
                    "changed": {
                        kind: {"before": before[kind], "after": after[kind]}
                        for kind in after
                        if before[kind] != after[kind]
                    }
                },
            )
        messages.info(request, "Notification settings saved.")
        return redirect("notification-settings")
    ctx = {
        "form": form,
        "webhooks": webhooks,
        "email": request.user.email,
    }
    return render(request, "settings/notifications.html", ctx, status=400 if form.errors else 200)


def _save(user, routes: dict, webhooks: list[Webhook], chosen: dict) -> None:
    offered = {hook.name: hook for hook in webhooks}
    for kind in NotificationKind.values:
        route = routes.get(kind) or NotificationRoute.objects.create(user=user, kind=kind)
        route.email = chosen[kind]["email"]
        route.save(update_fields=["email"])
        # A disabled webhook was not offered: a choice of it is kept for when it is enabled.
        kept = [hook for hook in route.webhooks.all() if hook.name not in offered]
        route.webhooks.set([*kept, *(offered[name] for name in chosen[kind]["webhooks"])])

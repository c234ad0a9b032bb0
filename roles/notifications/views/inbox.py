"""The signed-in user's notifications, and the unread badge in the nav."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from roles.audit.models import AuditEvent
from roles.notifications.models import Notification

PAGE = 100


def _mine(request: HttpRequest):
    return Notification.objects.filter(user=request.user)


@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    ctx = {"notifications": _mine(request)[:PAGE]}
    template = "notifications/_list.html" if request.htmx else "notifications/list.html"
    return render(request, template, ctx)


@require_GET
def badge(request: HttpRequest) -> HttpResponse:
    return render(request, "notifications/_badge.html")


@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    # Only the owner's own notification: anyone else's is a 404, not a 403 that confirms it exists.
    note = get_object_or_404(_mine(request), pk=pk)
    if note.read_at is None:
        note.read_at = timezone.now()
        note.save(update_fields=["read_at"])
        AuditEvent.objects.record(
            "notification.read", request=request, details={"notification": pk}
        )
    return _after(request)


@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = _mine(request).filter(read_at__isnull=True).update(read_at=timezone.now())
    AuditEvent.objects.record(
        "notification.read", request=request, details={"all": True, "count": count}
    )
    return _after(request)


def _after(request: HttpRequest) -> HttpResponse:
    if request.htmx:
        return notification_list(request)
    return redirect("notifications")

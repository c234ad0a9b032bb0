"""Refresh buttons: start syncs, then show their progress and result without a reload."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from roles import permissions
from roles.models import Account, SyncRun
from roles.sync.service import start_sync


def refresh_response(request: HttpRequest, accounts, *, back: str, back_args=()) -> HttpResponse:
    runs = [start_sync(a, user=request.user, request=request) for a in accounts]
    if request.htmx:
        return _progress(request, [r.pk for r in runs])
    messages.info(request, f"Sync started for {len(runs)} account(s).")
    return redirect(back, *back_args)


def _progress(request: HttpRequest, ids: list[int]) -> HttpResponse:
    runs = list(
        SyncRun.objects.filter(pk__in=ids).select_related("account").order_by("account__name")
    )
    ctx = {
        "runs": runs,
        "ids": ",".join(str(r.pk) for r in runs),
        "active": any(r.is_active for r in runs),
    }
    return render(request, "syncs/_progress.html", ctx)


@require_POST
def refresh_all(request: HttpRequest) -> HttpResponse:
    permissions.require(request, permissions.can_operate, "sync.started")
    return refresh_response(request, Account.objects.filter(enabled=True), back="overview")


@require_GET
def sync_status(request: HttpRequest) -> HttpResponse:
    raw = request.GET.get("ids", "")
    ids = [int(part) for part in raw.split(",") if part.isdigit()][:100]
    return _progress(request, ids)

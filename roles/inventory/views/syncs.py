"""Refresh buttons: start syncs, then show their progress and result without a reload."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from roles.access import permissions
from roles.core.models import Account
from roles.inventory.sync.models import SyncRun
from roles.inventory.sync.service import start_sync
from roles.web import params


def refresh_response(request: HttpRequest, accounts, *, back: str, back_args=()) -> HttpResponse:
    runs = [start_sync(a, user=request.user, request=request) for a in accounts]
    joined = [r for r in runs if r.joined]
    if request.htmx:
        return _progress(request, [r.pk for r in runs], joined={r.pk for r in joined})
    started = len(runs) - len(joined)
    if started:
        messages.info(request, f"Sync started for {started} account(s).")
    for run in joined:
        # Never claim to start what was already under way: say since when.
        messages.info(request, f"{_joined_text(run)}; this Refresh joined it.")
    return redirect(back, *back_args)


def _joined_text(run: SyncRun) -> str:
    since = timezone.localtime(run.started or run.created).strftime("%Y-%m-%d %H:%M:%S %Z")
    state = "running" if run.status == SyncRun.Status.RUNNING else "queued"
    return f"A sync of {run.account.name} was already {state} (since {since})"


def _progress(request: HttpRequest, ids: list[int], joined: set[int] = frozenset()) -> HttpResponse:
    runs = list(
        SyncRun.objects.filter(pk__in=ids).select_related("account").order_by("account__name")
    )
    for run in runs:
        run.joined_text = _joined_text(run) if run.pk in joined else ""
    ctx = {
        "runs": runs,
        "ids": ",".join(str(r.pk) for r in runs),
        "active": any(r.is_active for r in runs),
    }
    return render(request, "syncs/_progress.html", ctx)


@require_POST
def refresh_all(request: HttpRequest) -> HttpResponse:
    permissions.require(request, permissions.can_operate, "sync.started")
    return refresh_response(
        request, Account.objects.filter(enabled=True, paused=""), back="overview"
    )


@require_GET
def sync_status(request: HttpRequest) -> HttpResponse:
    ids = params.integer_list(request.GET, "ids", limit=100)
    return _progress(request, ids)

"""Each user's personal API tokens: create (shown once), list, revoke; and, for
administrators, every live token of every user, any of which they may revoke.

Creating a token needs a recent password, as approving does: a token created
within ROLECALL_REAUTH_MINUTES may approve through the API (roles/api/auth.py),
and no other may. A token is only ever its owner's: another user's is a 404,
except to an administrator revoking it (a leaked token is stopped at once, without
disabling its user). Revoking needs no fresh password: it only ever takes access away.
"""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from roles.access import permissions, reauth
from roles.api.models import ApiToken
from roles.audit.models import AuditEvent
from roles.notifications.models import Notification, NotificationKind
from roles.notifications.notify import notify
from roles.web import params


class TokenForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What uses it, e.g. soar-playbook.")
    scope = forms.ChoiceField(choices=ApiToken.Scope.choices, initial=ApiToken.Scope.READ)
    days = forms.IntegerField(
        label="Expires after (days)",
        min_value=1,
        max_value=settings.ROLECALL_API_TOKEN_MAX_DAYS,
        initial=30,
    )


def _page(request: HttpRequest, form: TokenForm, *, shown: str = "", status: int = 200):
    tokens = (
        ApiToken.objects.filter(user=request.user)
        .select_related("revoked_by")
        .order_by("revoked_at", "-created")[:100]
    )
    ctx = {
        "form": form,
        "tokens": tokens,
        "shown": shown,
        "fresh": reauth.is_fresh(request),
        "reauth_minutes": settings.ROLECALL_REAUTH_MINUTES,
        "api_base": request.build_absolute_uri("/api/v1/"),
    }
    return render(request, "settings/tokens.html", ctx, status=status)


@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _page(request, TokenForm())
    stale = reauth.require_fresh(request, reverse("tokens"))
    if stale:
        return stale
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    data = form.cleaned_data
    try:
        with transaction.atomic():
            row, token = ApiToken.issue(
                request.user,
                name=data["name"],
                scope=data["scope"],
                expires_at=timezone.now() + timedelta(days=data["days"]),
                password_checked=True,  # require_fresh above
            )
            AuditEvent.objects.record(
                "api_token.created",
                request=request,
                details={
                    "api_token": row.name,
                    "prefix": row.prefix,
                    "scope": row.scope,
                    "expires_at": row.expires_at,
                },
            )
    except IntegrityError:
        form.add_error("name", "You already have a live token of that name.")
        return _page(request, form, status=400)
    # Shown in this answer only (never stored, and pages are never cached).
    return _page(request, TokenForm(), shown=token, status=201)


@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """The owner revokes their token; an administrator, anyone's. To anyone else,
    another user's token does not exist (404)."""
    tokens = ApiToken.objects.select_related("user")
    if not permissions.can_admin(request.user):
        tokens = tokens.filter(user=request.user)
    row = get_object_or_404(tokens, pk=pk)
    own = row.user_id == request.user.pk
    with transaction.atomic():
        if row.revoke(by=request.user):
            details = {"api_token": row.name, "prefix": row.prefix}
            if not own:
                details["owner"] = row.user.get_username()
                notify(
                    [row.user],
                    f"Your API token {row.name} was revoked by {request.user.get_username()}",
                    kind=NotificationKind.API_TOKEN_REVOKED,
                    level=Notification.Level.WARNING,
                    body="Whatever used it now gets 401. Make a new token if it is still needed.",
                    link=reverse("tokens"),
                )
            AuditEvent.objects.record("api_token.revoked", request=request, details=details)
    whose = "" if own else f" of {row.user.get_username()}"
    messages.info(request, f"Token {row.name}{whose} revoked.")
    return redirect("tokens" if own else "tokens-all")


ALL_PAGE = 50


@require_GET
def token_all(request: HttpRequest) -> HttpResponse:
    """Every live token of every user (administrators): whose, what it may do, when it
    was last used, and a way to revoke it."""
    permissions.require(request, permissions.can_admin, "api_token.listed")
    number = params.integer(request.GET, "page", default=1, minimum=1)
    tokens = (
        ApiToken.objects.live()
        .select_related("user")
        .order_by(F("last_used_at").desc(nulls_last=True), "-created", "-pk")
    )
    page = Paginator(tokens, ALL_PAGE).get_page(number)
    return render(request, "settings/all_tokens.html", {"page": page})

"""Each user's personal API tokens: create (shown once), list, revoke.

Creating a token needs a recent password, as approving does: a token created
within ROLECALL_REAUTH_MINUTES may approve through the API (roles/api/auth.py),
and no other may. A token is only ever its owner's: another user's is a 404.
"""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from roles import reauth
from roles.models import ApiToken, AuditEvent


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
    tokens = ApiToken.objects.filter(user=request.user).order_by("revoked_at", "-created")[:100]
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
    row = get_object_or_404(ApiToken.objects.filter(user=request.user), pk=pk)
    with transaction.atomic():
        revoked = ApiToken.objects.filter(pk=row.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if revoked:
            AuditEvent.objects.record(
                "api_token.revoked",
                request=request,
                details={"api_token": row.name, "prefix": row.prefix},
            )
    messages.info(request, f"Token {row.name} revoked.")
    return redirect("tokens")

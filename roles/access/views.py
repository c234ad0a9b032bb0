"""Re-authentication before confirming or approving a deletion."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from roles.access.reauth import mark_authenticated
from roles.audit.models import AuditEvent, Outcome

# Failed password re-entries in this session (roles/access/views.py only).
REAUTH_FAILURES = "rolecall_reauth_failures"


class PasswordForm(forms.Form):
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


@require_http_methods(["GET", "POST"])
def reauth(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = "/"
    if settings.ROLECALL_OIDC and not request.user.has_usable_password():
        # Single sign-on users prove themselves again at the provider.
        return redirect(f"{reverse('oidc_authentication_init')}?{urlencode({'next': next_url})}")
    form = PasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # Checked against the signed-in user only, and limited per session rather than by
        # the sign-in lock-out: that lock-out is per address, and someone else at the same
        # address (an office NAT, a proxy) could otherwise stop this user re-authenticating.
        # A stolen session gets ROLECALL_LOGIN_FAILURE_LIMIT guesses, then it ends.
        if request.user.check_password(form.cleaned_data["password"]):
            request.session.pop(REAUTH_FAILURES, None)
            mark_authenticated(request, signed_in=False)
            AuditEvent.objects.record("auth.reauthenticated", request=request)
            return redirect(next_url)
        failures = request.session.get(REAUTH_FAILURES, 0) + 1
        request.session[REAUTH_FAILURES] = failures
        AuditEvent.objects.record(
            "auth.reauth_failed",
            request=request,
            outcome=Outcome.FAILURE,
            details={"failures": failures},
        )
        if failures >= settings.AXES_FAILURE_LIMIT:
            request.rolecall_logout_reason = "too many failed password re-entries"
            logout(request)
            return redirect(f"{reverse('login')}?{urlencode({'next': next_url})}")
        form.add_error("password", "That password is not correct.")
    ctx = {"form": form, "next": next_url}
    return render(request, "registration/reauth.html", ctx, status=400 if form.errors else 200)

"""Request-wide security rules: session lifetime, membership, CSP, no caching."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_cache_control

from roles.access import permissions

AUTH_AT = "rolecall_auth_at"  # set at sign-in and re-authentication (roles/access/reauth.py)
SEEN_AT = "rolecall_seen_at"
OPEN_VIEWS = {"login", "logout", "reauth"}


class SessionLifetimeMiddleware:
    """End sessions after ROLECALL_SESSION_IDLE_MINUTES idle, or
    ROLECALL_SESSION_MAX_HOURS after sign-in, whichever comes first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            seen = request.session.get(SEEN_AT, now)
            started = request.session.get(AUTH_AT, now)
            idle = now - seen > settings.ROLECALL_SESSION_IDLE_MINUTES * 60
            expired = now - started > settings.ROLECALL_SESSION_MAX_HOURS * 3600
            if idle or expired:
                # The auth.logout audit event (roles/access/signals.py) carries the reason.
                request.rolecall_logout_reason = (
                    "idle timeout" if idle else "session lifetime reached"
                )
                logout(request)
                messages.info(request, "Your session ended; please sign in again.")
                return redirect(f"{reverse('login')}?next={request.path}")
            if now - seen > 30:  # write the session at most every 30 s
                request.session[SEEN_AT] = now
            request.session.setdefault(AUTH_AT, now)
            request.session.setdefault(SEEN_AT, now)
        return self.get_response(request)


class MembershipMiddleware:
    """Signed in but in no rolecall group (and not an administrator): refused everywhere."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        match = request.resolver_match
        if user is None or not user.is_authenticated or match is None:
            return None
        if match.url_name in OPEN_VIEWS or match.app_name == "admin":
            return None
        if (match.url_name or "").startswith("api-"):
            return None  # the API's own check (roles/api/auth.py ApiAccess) answers in JSON
        if match.url_name is None and request.path.startswith("/api/"):
            return None  # an unknown API path: a JSON 404 (roles/api/errors.py)
        if not (permissions.can_view(user) or permissions.can_admin(user)):
            permissions.deny(request, "view")
        return None


class ContentSecurityPolicyMiddleware:
    """Content-Security-Policy on every response: no inline script, no framing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", settings.ROLECALL_CSP)
        return response


class NoStoreMiddleware:
    """Cache-Control: no-store on every response Django builds.

    Pages and exports show role inventories, audit history and who approved
    what; neither the browser's cache nor a proxy may keep them after sign-out.
    Static files are answered by WhiteNoise before this runs and keep their
    long-lived caching, so it must stay below WhiteNoiseMiddleware in settings.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        patch_cache_control(response, no_store=True, private=True)
        return response

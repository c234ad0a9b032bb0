"""Recent-password checks for the most consequential actions.

Confirming a deletion and approving or rejecting one need the password entered
within ROLECALL_REAUTH_MINUTES: a session left open on a desk is not enough.
"""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from roles.access.middleware import AUTH_AT

REAUTH_AT = "rolecall_reauth_at"


def mark_authenticated(request, *, signed_in: bool = True) -> None:
    now = time.time()
    request.session[REAUTH_AT] = now
    if signed_in:
        request.session[AUTH_AT] = now


def is_fresh(request) -> bool:
    last = request.session.get(REAUTH_AT, 0)
    return time.time() - last <= settings.ROLECALL_REAUTH_MINUTES * 60


def require_fresh(request, next_url: str | None = None):
    """None when the password is recent enough, else a redirect to /reauth/."""
    if is_fresh(request):
        return None
    return redirect(f"{reverse('reauth')}?{urlencode({'next': next_url or request.path})}")

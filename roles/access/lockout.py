"""Sign-in lock-out that a third party cannot turn against a real user.

django-axes counts failures per (username, address) pair (AXES_LOCKOUT_PARAMETERS),
so bad passwords typed from one address never lock the same user out at another
address. On top of that this handler locks a whole *address* that fails against
usernames that do not exist, or against many different usernames (credential
stuffing). Both locks are per address, so a user who signs in or re-authenticates
from an address with no failures is never refused. The address is the client's
own only when ROLECALL_TRUSTED_PROXIES matches the proxies in front of rolecall
(roles/audit/request.py); see docs/access.md.
"""

from __future__ import annotations

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import get_user_model


def address_failures(request) -> tuple[int, int]:
    """(failures against unknown usernames, distinct usernames failed) from this address."""
    address = getattr(request, "axes_ip_address", None)
    if not address:
        return 0, 0
    rows = list(
        AccessAttempt.objects.filter(
            ip_address=address, attempt_time__gte=get_cool_off_threshold(request)
        ).values_list("username", "failures_since_start")
    )
    names = {name or "" for name, _ in rows}
    user_model = get_user_model()
    known = set(
        user_model.objects.filter(**{f"{user_model.USERNAME_FIELD}__in": names}).values_list(
            user_model.USERNAME_FIELD, flat=True
        )
    )
    unknown = sum(failures for name, failures in rows if (name or "") not in known)
    return unknown, len(names)


def address_locked(request) -> bool:
    limit = settings.ROLECALL_LOGIN_ADDRESS_FAILURE_LIMIT
    unknown, usernames = address_failures(request)
    return unknown >= limit or usernames >= limit


class LockoutHandler(AxesDatabaseHandler):
    """axes' database handler plus the address lock (AXES_HANDLER in dashboard/settings.py)."""

    def is_locked(self, request, credentials=None) -> bool:
        return super().is_locked(request, credentials) or address_locked(request)

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        if request is None or getattr(request, "axes_locked_out", False):
            return
        if address_locked(request):
            # The failure that reaches the address limit is answered as a lock-out at once,
            # as axes does for the pair limit, and recorded (roles/access/signals.py).
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send(
                "axes",
                request=request,
                username=credentials.get("username"),
                ip_address=request.axes_ip_address,
            )

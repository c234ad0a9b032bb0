"""Who is asking, from where: the client IP behind a known number of proxies."""

from __future__ import annotations

import ipaddress
import logging

from django.conf import settings

log = logging.getLogger(__name__)
_warned_unused_header = False


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The client's address, trusting X-Forwarded-For only as far as configured.

    With ROLECALL_TRUSTED_PROXIES = N, each of the N proxies in front of
    rolecall appends the address it received from, so the client is the N-th
    entry from the right. Entries further left were written by the client
    itself and are never trusted. With N = 0 the header is ignored.
    """
    remote = _valid(request.META.get("REMOTE_ADDR", ""))
    hops = settings.ROLECALL_TRUSTED_PROXIES
    if hops <= 0:
        if request.META.get("HTTP_X_FORWARDED_FOR"):
            _warn_unused_header()
        return remote
    forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part]
    if len(forwarded) < hops:
        return remote
    return _valid(forwarded[-hops]) or remote


def _warn_unused_header() -> None:
    """Once per process: behind an unconfigured proxy every client shares the proxy's address,
    and the sign-in lock-out (roles/access/lockout.py) then treats them all as one."""
    global _warned_unused_header
    if not _warned_unused_header:
        _warned_unused_header = True
        log.warning(
            "Requests carry X-Forwarded-For but ROLECALL_TRUSTED_PROXIES is 0: every client "
            "behind the proxy shares one address for the audit trail and the sign-in lock-out."
        )

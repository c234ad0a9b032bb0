"""Who is asking, from where: the client IP behind a known number of proxies."""

from __future__ import annotations

import ipaddress

from django.conf import settings


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
        return remote
    forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part]
    if len(forwarded) < hops:
        return remote
    return _valid(forwarded[-hops]) or remote

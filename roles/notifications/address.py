"""Which webhook addresses rolecall may call (server-side request forgery).

A webhook URL is chosen by an administrator, but whoever controls its DNS name
controls where it points. In production (neither DEBUG nor demo mode) only
https:// URLs are accepted, and no name may lead to a private, loopback,
link-local, multicast, reserved, unspecified or otherwise non-public address
(IPv4 and IPv6, IPv4-mapped, 6to4 and NAT64 forms unwrapped). The URL is checked
when it is saved (a form error) and again before every send: the name is
resolved once, every address it resolves to is checked, and the connection goes
to that checked address (roles/notifications/webhook.py), so a second lookup cannot
swap in another one (DNS rebinding).
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
NAT64 = ipaddress.ip_network("64:ff9b::/96")
CHECKS = (
    ("is_unspecified", "unspecified"),
    ("is_loopback", "loopback"),
    ("is_link_local", "link-local"),
    ("is_multicast", "multicast"),
    ("is_private", "private"),
    ("is_reserved", "reserved"),
)


class Refused(Exception):
    """The URL may not be called; the message says why (shown and logged)."""


@dataclass(frozen=True)
class Target:
    """A URL with the one address it will be sent to."""

    scheme: str
    host: str  # the name: Host header and TLS server name
    port: int
    path: str  # path and query, as sent in the request line
    ip: str


def strict() -> bool:
    """Production rules, unless DEBUG or demo mode (local receivers for development)."""
    return not (settings.DEBUG or settings.ROLECALL_DEMO)


def lookup(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (tests replace this to play a rebinding DNS)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


def refusal(ip: IPAddress) -> str | None:
    """Why `ip` may not be called in production, or None for a public address."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            why = refusal(embedded)
            return f"{ip} wraps {why}" if why else None
        if ip.teredo or ip.is_site_local:
            return f"{ip} is not a public address"
    for attribute, label in CHECKS:
        if getattr(ip, attribute):
            return f"{ip} is a {label} address"
    if not ip.is_global:
        return f"{ip} is not a public address"
    return None


def parse(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path) of a URL rolecall may post to, or Refused."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise Refused(f"Not a valid URL: {exc}.") from None
    scheme = parts.scheme.lower()
    if scheme != "https" and not (scheme == "http" and not strict()):
        raise Refused("Only https:// URLs are accepted.")
    if not parts.hostname:
        raise Refused("The URL names no host.")
    if parts.username is not None or parts.password is not None:
        raise Refused("The URL may not hold a user name or password.")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return scheme, parts.hostname, port or (443 if scheme == "https" else 80), path


def resolve(url: str) -> Target:
    """The URL with the address to connect to, every resolved address checked; or Refused."""
    scheme, host, port, path = parse(url)
    try:
        addresses = lookup(host, port)
    except (OSError, UnicodeError) as exc:
        raise Refused(f"{host} could not be resolved: {exc}.") from None
    if not addresses:
        raise Refused(f"{host} could not be resolved.")
    if strict():
        for address in addresses:
            # A scope ("fe80::1%eth0") is not part of the address.
            why = refusal(ipaddress.ip_address(address.split("%", 1)[0]))
            if why:
                raise Refused(f"{host} resolves to {why}; only public addresses are allowed.")
    return Target(scheme, host, port, path, addresses[0])

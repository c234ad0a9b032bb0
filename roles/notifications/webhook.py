"""Webhook events: the signed JSON body, and one POST to the checked address.

What a receiver gets (docs/notifications.md shows a
receiver verifying it):

    POST <url>
    Content-Type: application/json
    X-Rolecall-Event-Id: <uuid, the same on every attempt>
    X-Rolecall-Timestamp: <unix seconds of this attempt>
    X-Rolecall-Signature: v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>

The body is the event (roles/notifications/routing.py) plus a Slack-compatible `text`,
serialized the same way on every attempt. Redirects are not followed (a 3xx is a
failed attempt): a redirect could point anywhere, past the address check.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import secrets
import socket
import ssl
import time

from django.conf import settings

from roles.notifications import address
from roles.notifications.models import Delivery
from roles.notifications.result import Result

SIGNATURE_VERSION = "v1"
USER_AGENT = "rolecall-webhook/1"


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def slack_escape(text: str) -> str:
    """Slack reads &, < and > as markup (links, mentions such as <!channel>): escape them."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_text(event: dict) -> str:
    lines = [f"*{slack_escape(event['title'])}*"]
    if event.get("body"):
        lines.append(slack_escape(event["body"]))
    url = event.get("url") or ""
    if url.startswith(("https://", "http://")) and not any(c in url for c in "<>| "):
        lines.append(f"<{url}|Open in rolecall>")
    elif url:
        lines.append(slack_escape(url))
    return "\n".join(lines)


def body(event: dict) -> bytes:
    return json.dumps(
        {**event, "text": slack_text(event)}, sort_keys=True, separators=(",", ":")
    ).encode()


def signature(secret: str, timestamp: str, raw: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + raw, hashlib.sha256)
    return f"{SIGNATURE_VERSION}={digest.hexdigest()}"


def headers(row: Delivery, raw: bytes, timestamp: str) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Rolecall-Event-Id": str(row.event_id),
        "X-Rolecall-Timestamp": timestamp,
        "X-Rolecall-Signature": signature(row.webhook.secret, timestamp, raw),
    }


class _PinnedHTTP(http.client.HTTPConnection):
    """Connects to the checked address; the Host header still names the host."""

    def __init__(self, target: address.Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self.ip = target.ip

    def connect(self) -> None:
        self.sock = socket.create_connection((self.ip, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """As _PinnedHTTP, with TLS verified against the host's name (SNI and certificate)."""

    def __init__(self, target: address.Target, timeout: float) -> None:
        super().__init__(
            target.host, target.port, timeout=timeout, context=ssl.create_default_context()
        )
        self.ip = target.ip

    def connect(self) -> None:
        sock = socket.create_connection((self.ip, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(target: address.Target, raw: bytes, sent_headers: dict) -> tuple[int, bytes]:
    kind = _PinnedHTTPS if target.scheme == "https" else _PinnedHTTP
    connection = kind(target, timeout=settings.ROLECALL_WEBHOOK_TIMEOUT)
    try:
        connection.request("POST", target.path, body=raw, headers=sent_headers)
        response = connection.getresponse()
        return response.status, response.read(512)
    finally:
        connection.close()


def send(row: Delivery) -> Result:
    """One attempt at delivering `row` to its webhook."""
    hook = row.webhook
    if not hook.enabled:
        return Result(ok=False, error="Not sent: the webhook is disabled.", retry=False)
    try:
        target = address.resolve(hook.url)
    except address.Refused as exc:
        return Result(ok=False, error=f"Refused: {exc}", refused=True)
    raw = body(row.payload)
    started = time.monotonic()
    try:
        status, answer = post(target, raw, headers(row, raw, str(int(time.time()))))
    except (OSError, http.client.HTTPException) as exc:
        elapsed = round((time.monotonic() - started) * 1000)
        what = "timed out" if isinstance(exc, TimeoutError) else type(exc).__name__
        return Result(ok=False, latency_ms=elapsed, error=f"{what}: {exc}"[:500])
    elapsed = round((time.monotonic() - started) * 1000)
    if 200 <= status < 300:
        return Result(ok=True, status_code=status, latency_ms=elapsed)
    text = answer.decode("utf-8", "replace").strip()
    return Result(ok=False, status_code=status, latency_ms=elapsed, error=f"HTTP {status} {text}")

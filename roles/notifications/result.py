"""What one attempt at a delivery came to: written by the senders (email.py,
webhook.py), read by delivery.py, which calls them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Result:
    """What one attempt came to."""

    ok: bool
    status_code: int | None = None
    latency_ms: int | None = None
    error: str = ""
    retry: bool = True  # False: permanent, trying again would not help
    refused: bool = False  # the address is not allowed (roles/notifications/address.py)

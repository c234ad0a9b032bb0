"""Whether Trusted Advisor is enabled in each account: its role cannot go while it is.

The AWS Support User Guide ("Using service-linked roles for Trusted Advisor"): "You can
delete the role only after you first disable Trusted Advisor", which is done in the
Trusted Advisor console (Preferences, Disable Trusted Advisor), for which AWS documents
no API.  "When you open an AWS account, Trusted Advisor creates this role for you", so
Trusted Advisor is on in every account until a scenario or ``/_emulator/trusted-advisor``
turns it off.  A deletion task for the role then fails (``usage.REFUSALS``), as IAM
documents for a linked service that still uses its role.  Functions run under
``state.LOCK``.
"""

from __future__ import annotations

DISABLED: set[str] = set()  # accounts where Trusted Advisor has been disabled


def reset() -> None:
    DISABLED.clear()


def set_enabled(account: str, enabled: bool) -> None:
    if enabled:
        DISABLED.discard(account)
    else:
        DISABLED.add(account)


def is_enabled(account: str) -> bool:
    return account not in DISABLED

"""No service-linked roles and no clusters: only the audit roles the hub can assume.

``RolecallAudit`` exists in 123456789012 (the hub), 111111111111 and 222222222222,
assumable from the hub with ExternalId ``rolecall-demo``.  There is no organization:
Organizations calls answer ``AWSOrganizationsNotInUseException``.
"""

from __future__ import annotations

from ..state import HUB_ACCOUNT, RUN
from .common import days_ago, setup_account

TARGETS = (HUB_ACCOUNT, "111111111111", "222222222222")


def build(params: dict) -> None:
    now = RUN.now
    for account in TARGETS:
        setup_account(account, None, days_ago(now, 30))

"""The environment's safety-rail settings, recorded in the audit history when they change.

ROLECALL_REQUIRE_APPROVAL and the others are environment settings, not UI settings,
so nobody "turns approval off" on a page that could audit it. Instead every start
of a deployment (`manage.py record_settings`, run by scripts/run.py after migrate
and by the deployment's release step) and the daily chain verification
(roles/audit/tasks.py) compare the effective values with the last recorded ones
and record a "settings.rails_changed" event, actor "system", with both.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from roles.audit.models import AuditEvent

ACTION = "settings.rails_changed"
RAILS = (
    "ROLECALL_REQUIRE_APPROVAL",
    "ROLECALL_PROTECTED_ROLES",
    "ROLECALL_PROTECTED_ACCOUNTS",
    "ROLECALL_REAUTH_MINUTES",
)


def effective() -> dict:
    return {name: getattr(settings, name) for name in RAILS}


def weakened(before: dict | None, after: dict) -> list[str]:
    """What got weaker: the changes an auditor should look at first."""
    if before is None:
        return []
    found = []
    if before.get("ROLECALL_REQUIRE_APPROVAL") and not after["ROLECALL_REQUIRE_APPROVAL"]:
        found.append("two-person approval turned off")
    for name in ("ROLECALL_PROTECTED_ROLES", "ROLECALL_PROTECTED_ACCOUNTS"):
        removed = sorted(set(before.get(name) or []) - set(after[name]))
        if removed:
            found.append(f"{name} no longer lists {', '.join(removed)}")
    minutes = before.get("ROLECALL_REAUTH_MINUTES")
    if minutes is not None and minutes < after["ROLECALL_REAUTH_MINUTES"]:
        found.append("re-authentication lasts longer")
    return found


def record_if_changed() -> AuditEvent | None:
    """Record the effective rail settings if they differ from the last recorded ones.

    Under the audit chain's append lock, so processes starting together record a
    change once.
    """
    after = effective()
    with transaction.atomic():
        AuditEvent.objects._lock_chain()
        last = AuditEvent.objects.filter(action=ACTION).order_by("-seq").first()
        before = last.details.get("after") if last is not None else None
        if before == after:
            return None
        changed = [name for name in RAILS if (before or {}).get(name) != after[name]]
        return AuditEvent.objects.record(
            ACTION,
            details={
                "before": before,
                "after": after,
                "changed": changed,
                "weakened": weakened(before, after),
            },
        )

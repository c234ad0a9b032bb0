"""The evidence a deletion is confirmed on, frozen into the request."""

from __future__ import annotations

from roles.models import ServiceLinkedRole
from roles.readiness import readiness


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def snapshot(role: ServiceLinkedRole) -> dict:
    verdict = readiness(role)
    return {
        "role": {
            "arn": role.arn,
            "name": role.name,
            "description": role.description,
            "last_used_at": _iso(role.last_used_at),
            "last_used_region": role.last_used_region,
            "last_synced": _iso(role.last_synced),
        },
        "account": {
            "id": role.account.aws_account_id,
            "name": role.account.name,
            "production": role.account.production,
        },
        "verdict": verdict.verdict,
        "verdict_text": verdict.text,
        "predicted_usage": verdict.usage.role_usage_list(),
        "unknown_regions": [r.region for r in verdict.usage.unknown],
        "advisor": [
            {
                "namespace": entry.namespace,
                "last_authenticated": _iso(entry.last_authenticated),
                "region": entry.region,
            }
            for entry in role.advisor.all()
            if entry.last_authenticated
        ],
    }

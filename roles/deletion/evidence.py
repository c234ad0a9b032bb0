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


# --- binding an approval to the evidence ----------------------------------------

BOUND = ("account", "last_used_at", "last_used_region", "description", "blockers")


def bound(evidence: dict) -> dict:
    """The facts an approval is bound to."""
    return {
        "account": evidence["account"]["id"],
        "last_used_at": evidence["role"]["last_used_at"],
        "last_used_region": evidence["role"]["last_used_region"],
        "description": evidence["role"]["description"],
        "blockers": sorted(
            f"{u['Region']} {arn}"
            for u in evidence.get("predicted_usage", [])
            for arn in u["Resources"]
        ),
    }


def differences(approved: dict, now: dict) -> list[dict]:
    before, after = bound(approved), bound(now)
    return [
        {"field": field, "approved": before[field], "now": after[field]}
        for field in BOUND
        if before[field] != after[field]
    ]


def read_from_aws(deletion) -> dict:
    """The same evidence, read from AWS now (GetRole; ECS clusters in every region).

    Used just before an approved deletion is submitted: if the role was used
    since, or clusters appeared, the approval no longer covers what would happen.
    """
    from concurrent.futures import ThreadPoolExecutor

    from django.conf import settings

    from roles.aws import ecs, iam
    from roles.aws.session import AccountSession

    account = deletion.account
    session = AccountSession(account.target())
    detail = iam.get_role(session.client("iam"), deletion.role_name)
    usage = []
    if detail.summary.service_principal == "ecs.amazonaws.com":
        regions = list(account.regions) or ecs.list_regions(session.client("ec2"))
        with ThreadPoolExecutor(settings.ROLECALL_SYNC_REGION_CONCURRENCY) as pool:
            found = pool.map(lambda r: (r, ecs.list_clusters(session.client("ecs", r))), regions)
            for region, clusters in sorted(found):
                arns = sorted(c.arn for c in clusters if c.status != "INACTIVE")
                if arns:
                    usage.append({"Region": region, "Resources": arns})
    fresh = dict(deletion.evidence)
    fresh["role"] = {
        **deletion.evidence["role"],
        "description": detail.summary.description,
        "last_used_at": _iso(detail.last_used_at),
        "last_used_region": detail.last_used_region,
    }
    fresh["predicted_usage"] = usage
    fresh["read_from_aws"] = True
    return fresh

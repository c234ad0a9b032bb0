"""The evidence a deletion is confirmed on, frozen into the request."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from roles.aws import iam
from roles.aws.account import AccountAws
from roles.aws.blockers import reader_for
from roles.aws.errors import AwsError
from roles.aws.inventory import CLUSTERS, read_ecs
from roles.aws.service_reads import read_role
from roles.inventory.models import ECS_PRINCIPAL, ServiceLinkedRole
from roles.inventory.readiness import readiness


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def snapshot(role: ServiceLinkedRole, verdict=None, advisor=None) -> dict:
    """The evidence as rolecall has it now. A caller freezing many roles passes each
    one's readiness and Access Advisor entries, read in bulk."""
    verdict = verdict if verdict is not None else readiness(role)
    advisor = advisor if advisor is not None else role.advisor.all()
    return {
        "role": {
            "arn": role.arn,
            "name": role.name,
            "role_id": role.role_id,
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
        "verdict_warning": verdict.warning,
        "verdict_warning_source": verdict.warning_source,
        "predicted_usage": verdict.usage.role_usage_list(),
        "unknown_regions": [r.region for r in verdict.usage.unknown],
        "advisor": [
            {
                "namespace": entry.namespace,
                "last_authenticated": _iso(entry.last_authenticated),
                "region": entry.region,
            }
            for entry in advisor
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


@dataclass
class Fresh:
    """What AWS answers now, through the credentials the deletion will use."""

    evidence: dict
    account_id: str  # sts:GetCallerIdentity through the assumed role
    role_arn: str  # iam:GetRole; "" when GetRole answered NoSuchEntity
    role_id: str
    request_id: str  # GetCallerIdentity's, for the audit event
    caller_arn: str = ""  # who the read session answered as


def read_from_aws(deletion, aws: AccountAws, *, blockers: bool) -> Fresh:
    """The request's evidence, read from AWS now: who the account's credentials
    really are (GetCallerIdentity), the role (GetRole), and with `blockers` the
    resources that block the role's service in every region (ECS clusters, load
    balancers, ...: roles/aws/blockers.py; any region that cannot be read fails the read).

    Used just before a deletion is submitted, through the same AccountAws the
    DeleteServiceLinkedRole call will use: if the account was re-pointed, the
    role replaced, used since, or clusters appeared, what was confirmed no
    longer covers what would happen.
    """
    identity = aws.identity()
    try:
        detail = iam.get_role(aws.iam(), deletion.role_name)
    except AwsError as exc:
        if exc.code != "NoSuchEntity":
            raise
        return Fresh({}, identity.account, "", "", identity.request_id, identity.arn)
    usage = []
    principal = detail.summary.service_principal
    if blockers and reader_for(principal) is not None:
        usage = read_role(
            aws, principal, detail.summary.arn, threads=settings.ROLECALL_SYNC_REGION_CONCURRENCY
        )
    elif blockers and principal == ECS_PRINCIPAL:
        found = read_ecs(
            aws,
            aws.regions(),
            depth=CLUSTERS,
            region_threads=settings.ROLECALL_SYNC_REGION_CONCURRENCY,
            raise_failure=True,
        )
        for item in sorted(found, key=lambda r: r.region):
            arns = sorted(c.arn for c in item.clusters if c.live)
            if arns:
                usage.append({"Region": item.region, "Resources": arns})
    fresh = dict(deletion.evidence)
    fresh["account"] = {**deletion.evidence.get("account", {}), "id": identity.account}
    fresh["role"] = {
        **deletion.evidence.get("role", {}),
        "arn": detail.summary.arn,
        "role_id": detail.summary.role_id,
        "description": detail.summary.description,
        "last_used_at": _iso(detail.last_used_at),
        "last_used_region": detail.last_used_region,
    }
    if blockers:
        fresh["predicted_usage"] = usage
    fresh["read_from_aws"] = True
    return Fresh(
        fresh,
        identity.account,
        detail.summary.arn,
        detail.summary.role_id,
        identity.request_id,
        identity.arn,
    )


def binding_changes(deletion, fresh: Fresh, change_account: str = "") -> list[dict]:
    """Where the account or the role differ from what the request is bound to.

    The stored account is compared as well as AWS's answer, so an account row
    re-pointed to another id is caught even if its new role answers for it; so is
    the account the change session answers for (`change_account`), when the
    change is made through a change role of its own.
    """
    checks = [
        ("account id", deletion.bound_account_id, deletion.account.aws_account_id),
        ("account AWS answered for", deletion.bound_account_id, fresh.account_id),
    ]
    if change_account:
        checks.append(
            ("account the change role answered for", deletion.bound_account_id, change_account)
        )
    if fresh.role_arn:
        checks += [
            ("role ARN", deletion.role_arn, fresh.role_arn),
            ("role id", deletion.bound_role_id, fresh.role_id),
        ]
    return [
        {"field": field, "approved": bound, "now": now}
        for field, bound, now in checks
        if bound != now
    ]

"""A campaign's exports: the dry run (every AWS call it would make, in order) for a
change ticket, and the report of every role once it has run."""

from __future__ import annotations

from django.db.models import Prefetch

from roles.campaigns.models import Campaign, CampaignRole
from roles.deletion.models import DeletionAttempt
from roles.inventory.readiness import reads_for

Row = CampaignRole.State

PLAN_COLUMNS = ("step", "account_name", "account_id", "role_name", "role_arn", "calls")
REPORT_COLUMNS = (
    "account_name",
    "account_id",
    "service_principal",
    "role_name",
    "role_arn",
    "verdict_at_selection",
    "last_used_at_selection",
    "last_used_region_selection",
    "outcome",
    "reason",
    "differences",
    "deletion_request",
    "deletion_task_id",
    "aws_request_ids",
    "requested_by",
    "approved_by",
    "approved_at",
    "finished_at",
)


def calls_for(row: CampaignRole) -> list[str]:
    """What the worker calls for one role, in order (roles/deletion/worker.py): the read
    role's re-read of the evidence, then the change role's deletion and its status polls."""
    return [
        "sts:AssumeRole (read role)",
        "sts:GetCallerIdentity",
        "iam:GetRole",
        *reads_for(row.service_principal),
        "sts:AssumeRole (change role)",
        "sts:GetCallerIdentity",
        "iam:DeleteServiceLinkedRole",
        "iam:GetServiceLinkedRoleDeletionStatus (until it ends)",
    ]


def plan_rows(campaign: Campaign) -> list[dict]:
    """Every pending role in the order the run starts them (roles/campaigns/run.py)."""
    rows = campaign.roles.filter(state=Row.PENDING).only(
        "account_name", "role_name", "role_arn", "service_principal", "evidence", "order"
    )
    return [
        {
            "step": step,
            "account_name": row.account_name,
            "account_id": row.evidence["account"]["id"],
            "role_name": row.role_name,
            "role_arn": row.role_arn,
            "calls": "; ".join(calls_for(row)),
        }
        for step, row in enumerate(rows.iterator(chunk_size=500), start=1)
    ]


def report_rows(campaign: Campaign) -> list[dict]:
    """Every role the campaign held, in three queries whatever their number."""
    attempts = Prefetch("deletion__attempts", queryset=DeletionAttempt.objects.order_by("number"))
    rows = campaign.roles.select_related("deletion").prefetch_related(attempts)
    approver = campaign.approved_by.get_username() if campaign.approved_by else ""
    found = []
    for row in rows:
        role = row.evidence.get("role", {})
        tries = list(row.deletion.attempts.all()) if row.deletion else []
        found.append(
            {
                "account_name": row.account_name,
                "account_id": row.evidence.get("account", {}).get("id", ""),
                "service_principal": row.service_principal,
                "role_name": row.role_name,
                "role_arn": row.role_arn,
                "verdict_at_selection": row.verdict,
                "last_used_at_selection": role.get("last_used_at") or "",
                "last_used_region_selection": role.get("last_used_region") or "",
                "outcome": row.state,
                "reason": row.reason,
                "differences": "; ".join(
                    f"{d['field']}: {d['approved']} -> {d['now']}" for d in row.differences
                ),
                "deletion_request": row.deletion_id or "",
                "deletion_task_id": " ".join(
                    a.deletion_task_id for a in tries if a.deletion_task_id
                ),
                "aws_request_ids": " ".join(
                    a.submit_request_id for a in tries if a.submit_request_id
                ),
                "requested_by": campaign.requested_by_name,
                "approved_by": approver,
                "approved_at": campaign.approved_at.isoformat() if campaign.approved_at else "",
                "finished_at": row.deletion.finished.isoformat()
                if row.deletion and row.deletion.finished
                else "",
            }
        )
    return found

"""Drafting a campaign: freeze the selected roles' evidence and set apart those it
will never act on, in a bounded number of queries whatever the selection's size."""

from __future__ import annotations

from collections import Counter, defaultdict

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from roles.audit.models import AuditEvent
from roles.campaigns.kind import CampaignRefused
from roles.campaigns.models import Campaign, CampaignRole
from roles.core.models import AccountPaused
from roles.deletion.evidence import snapshot
from roles.inventory.models import AccessAdvisorEntry
from roles.inventory.protection import ProtectedRule, protected_because
from roles.inventory.readiness import AccountUsage, readiness

# What a campaign retires: roles AWS may delete now, and, only when the author
# acknowledges it (include_not_checked), roles whose use rolecall does not check
# (AWS checks when asked, and a refusal is reported per role).
ELIGIBLE = ("ready", "not_checked")
NOT_CHECKED_APART = (
    "Not checked: rolecall cannot tell whether its service still uses it, and the "
    "campaign was drafted without acknowledging that"
)
# Frozen into the evidence of each "Not checked" row the author chose to include: what
# the approver is shown (campaigns/_detail.html), and what the run requires of a role
# that is "Not checked" when its deletion starts (roles/campaigns/run.py).
ACKNOWLEDGED = "not_checked_acknowledged"
NOT_ELIGIBLE = {
    "blocked": "Blocked: its service's resources still use it",
    "not_deletable": "AWS does not allow deleting it",
    "unknown": "Cannot tell yet whether it is in use",
    "absent": "It no longer exists in AWS",
}


def excluded_because(role, verdict, rules, *, include_not_checked: bool = False) -> str:
    """Why a campaign must leave this role alone ("" when it may act on it). A "Not
    checked" role is set apart as a protected one is, unless the author acknowledged."""
    if not role.is_service_linked:
        return "Not a service-linked role (path /aws-service-role/)."
    try:
        role.account.refuse_changes()
    except AccountPaused as exc:
        return str(exc)
    reason = protected_because(
        role_name=role.name, role_arn=role.arn, account_id=role.account.aws_account_id, rules=rules
    )
    if reason:
        return f"Protected: {reason}"
    if verdict.verdict not in ELIGIBLE:
        return f"{NOT_ELIGIBLE.get(verdict.verdict, verdict.verdict)}: {verdict.text}"
    if verdict.verdict == "not_checked" and not include_not_checked:
        return f"{NOT_CHECKED_APART}. {verdict.text}"
    if not role.role_id:
        return "AWS's id for this role is not known yet: refresh its account."
    return ""


def draft(
    name: str,
    roles,
    *,
    user,
    request=None,
    selection: dict,
    include_not_checked: bool = False,
) -> Campaign:
    """A draft campaign of `roles` (a queryset), each with its evidence frozen now.

    include_not_checked: the author's explicit acknowledgement that roles rolecall
    cannot check ("Not checked") are to be retired too; without it they are set apart.
    """
    limit = settings.ROLECALL_CAMPAIGN_MAX_ROLES
    roles = list(
        roles.select_related("account").order_by("account__name", "name", "pk")[: limit + 1]
    )
    if not roles:
        raise CampaignRefused("The selection has no roles.")
    if len(roles) > limit:
        raise CampaignRefused(
            f"The selection has more than {limit} roles (ROLECALL_CAMPAIGN_MAX_ROLES): narrow it."
        )
    acknowledgement = None
    if include_not_checked:
        acknowledgement = {"by": user.get_username(), "at": timezone.now().isoformat()}
        selection = {**selection, "include_not_checked": True}
    rows = _frozen(roles, acknowledgement)
    with transaction.atomic():
        campaign = Campaign.objects.create(
            name=name,
            selection=selection,
            requested_by=user,
            requested_by_name=user.get_username(),
            approval_required=True,
        )
        for row in rows:
            row.campaign = campaign
        CampaignRole.objects.bulk_create(rows, batch_size=500)
        recount(campaign)
        AuditEvent.objects.record(
            "campaign.drafted",
            request=request,
            actor=user,
            details={
                "campaign": campaign.pk,
                "name": name,
                "selection": selection,
                "roles": len(rows),
                "excluded": sum(1 for r in rows if r.reason),
                "include_not_checked": include_not_checked,
                "not_checked_included": sum(1 for r in rows if ACKNOWLEDGED in r.evidence),
            },
        )
    return campaign


def _frozen(roles: list, acknowledgement: dict | None = None) -> list[CampaignRole]:
    """A campaign row per role (not saved yet), its verdict and evidence read now in a
    fixed number of queries, and set apart with the reason when it must be left alone.
    `acknowledgement` (who ticked it, when) goes into each included "Not checked"
    row's evidence."""
    accounts = {r.account_id: r.account for r in roles}
    usage = AccountUsage.many(list(accounts.values()))
    advisor = defaultdict(list)
    for entry in AccessAdvisorEntry.objects.filter(role__in=[r.pk for r in roles]):
        advisor[entry.role_id].append(entry)
    rules = list(ProtectedRule.objects.all())
    rows = []
    for order, role in enumerate(roles):
        verdict = readiness(role, usage[role.account_id].for_role(role))
        reason = excluded_because(
            role, verdict, rules, include_not_checked=acknowledgement is not None
        )
        evidence = snapshot(role, verdict, advisor[role.pk])
        if verdict.verdict == "not_checked" and not reason:
            evidence[ACKNOWLEDGED] = acknowledgement
        rows.append(
            CampaignRole(
                role=role,
                account=role.account,
                role_arn=role.arn,
                role_name=role.name,
                account_name=role.account.name,
                service_principal=role.service_principal,
                verdict=verdict.verdict,
                production=role.account.production,
                evidence=evidence,
                state=CampaignRole.State.EXCLUDED if reason else CampaignRole.State.PENDING,
                reason=reason,
                order=order,
            )
        )
    return rows


def acknowledgement(campaign: Campaign) -> dict | None:
    """The author's acknowledgement of "Not checked" roles as frozen ({"by", "at"}),
    with how many of the roles the campaign acts on it covers ("roles"); None when the
    campaign acts on none. What the approver is shown, on the page and in the API."""
    rows = campaign.roles.filter(state__in=CampaignRole.ACTED_ON, verdict="not_checked")
    n = rows.count()
    if not n:
        return None
    frozen = rows.values_list(f"evidence__{ACKNOWLEDGED}", flat=True).first() or {}
    return {"by": frozen.get("by", ""), "at": frozen.get("at", ""), "roles": n}


def recount(campaign: Campaign) -> None:
    """Store how many roles the campaign acts on (its role_name, "37 roles"): what
    the approver confirms, and what the approval notification names."""
    n = campaign.roles.filter(state__in=CampaignRole.ACTED_ON).count()
    campaign.role_name = f"{n} role{'' if n == 1 else 's'}"
    campaign.save(update_fields=["role_name", "updated"])


def totals(campaign: Campaign) -> dict:
    """Counts per account, per service, per verdict and per state, in one query."""
    rows = campaign.roles.values_list("account_name", "service_principal", "verdict", "state")
    by = {"account": Counter(), "service": Counter(), "verdict": Counter(), "state": Counter()}
    for account, service, verdict, state in rows:
        by["state"][state] += 1
        if state in CampaignRole.ACTED_ON:
            by["account"][account] += 1
            by["service"][service] += 1
            by["verdict"][verdict] += 1
    return {key: sorted(counter.items()) for key, counter in by.items()}

"""What people do to a campaign: edit the draft, ask for approval, decide, pause,
resume, discard. Deciding goes through the approval core (roles/approval/__init__.py)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from roles import approval, jobs
from roles.campaigns.kind import ADVANCE, CAMPAIGN, CampaignRefused, not_checked
from roles.campaigns.models import Campaign, CampaignRole
from roles.campaigns.select import recount

State, Row = Campaign.State, CampaignRole.State


def _locked(campaign: Campaign, states, verb: str) -> Campaign:
    campaign = Campaign.objects.select_for_update(no_key=True).get(pk=campaign.pk)
    if campaign.state not in states:
        raise CampaignRefused(
            f"This campaign is {campaign.get_state_display().lower()}: it cannot be {verb}."
        )
    return campaign


def remove_rows(campaign: Campaign, row_ids: list[int], *, user, request=None) -> int:
    """Take rows out of a draft; the editor becomes one of its requesters."""
    with transaction.atomic():
        campaign = _locked(campaign, Campaign.EDITABLE, "edited")
        removed = campaign.roles.filter(pk__in=row_ids, state=Row.PENDING).update(
            state=Row.REMOVED, removed_by=user, reason=f"Removed by {user.get_username()}."
        )
        if removed:
            campaign.version += 1
            campaign.save(update_fields=["version", "updated"])
            recount(campaign)
            CAMPAIGN.audit(
                campaign, "edited", user=user, request=request, removed=removed, rows=row_ids
            )
    return removed


def ask_approval(campaign: Campaign, *, user, request=None) -> Campaign:
    with transaction.atomic():
        campaign = _locked(campaign, Campaign.EDITABLE, "sent for approval")
        if not campaign.roles.filter(state=Row.PENDING).exists():
            raise CampaignRefused("The campaign has no role left to retire.")
        body = f"{campaign.role_name}, drafted by {campaign.requested_by_name}."
        unchecked = not_checked(campaign)
        if unchecked:
            body += (
                f" {unchecked} of them not checked: rolecall cannot tell whether they are "
                "in use, and the author acknowledged including them."
            )
        approval.submit(CAMPAIGN, campaign, body=body)
        campaign.save(update_fields=["state", "updated"])
        CAMPAIGN.audit(campaign, "submitted", user=user, request=request, version=campaign.version)
    return campaign


def decide(
    campaign: Campaign, *, user, approve: bool, comment: str, version, typed: str = "", request=None
) -> Campaign:
    """An approver approves (typing the confirmation) or rejects the version shown."""
    return approval.decide(
        CAMPAIGN,
        campaign,
        user=user,
        approve=approve,
        comment=comment,
        version=version,
        typed=typed,
        request=request,
    )


def pause(campaign: Campaign, *, user, request=None) -> Campaign:
    """No new deletion starts; those already sent to AWS finish."""
    with transaction.atomic():
        campaign = _locked(campaign, Campaign.RUNNING_STATES, "paused")
        campaign.state, campaign.paused_by = State.PAUSED, user
        campaign.save(update_fields=["state", "paused_by", "updated"])
        CAMPAIGN.audit(campaign, "paused", user=user, request=request)
    return campaign


def resume(campaign: Campaign, *, user, request=None) -> Campaign:
    with transaction.atomic():
        campaign = _locked(campaign, (State.PAUSED,), "resumed")
        campaign.state, campaign.paused_by = State.RUNNING, None
        campaign.save(update_fields=["state", "paused_by", "updated"])
        CAMPAIGN.audit(campaign, "resumed", user=user, request=request)
        jobs.after_commit(ADVANCE, campaign.pk)
    return campaign


def discard(campaign: Campaign, *, user, request=None) -> Campaign:
    with transaction.atomic():
        campaign = _locked(campaign, Campaign.EDITABLE, "discarded")
        campaign.state, campaign.finished = State.DISCARDED, timezone.now()
        campaign.save(update_fields=["state", "finished", "updated"])
        CAMPAIGN.audit(campaign, "discarded", user=user, request=request)
    return campaign

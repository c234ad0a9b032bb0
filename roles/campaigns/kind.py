"""Campaigns as one kind of approved change (roles/approval/__init__.py)."""

from __future__ import annotations

from roles import approval, jobs
from roles.campaigns.models import Campaign, CampaignRole

# The run's next move (roles/campaigns/tasks.py), on the changes queue (ready.py). A
# deletion of the campaign's publishes it by this name when it ends.
ADVANCE = "rolecall.campaigns.advance"


class CampaignRefused(approval.Refused):
    """The campaign cannot be changed or decided; the message is shown to the user."""


def wake(campaign_id: int) -> None:
    """Let the campaign's run move on once this transaction commits (a deletion ended)."""
    jobs.after_commit(ADVANCE, campaign_id)


def _stale(campaign: Campaign, version: int | None):
    """The approver was shown another version of the draft than the one awaiting."""
    if version == campaign.version:
        return None
    details = {
        "reason": "stale campaign",
        "shown_version": version,
        "current_version": campaign.version,
    }
    return details, "The campaign changed since this page was loaded: review it and approve again."


def _recheck(campaign: Campaign) -> None:
    if not campaign.roles.filter(state=CampaignRole.State.PENDING).exists():
        raise CampaignRefused("The campaign has no role left to retire.")


CAMPAIGN = approval.Kind(
    model=Campaign,
    prefix="campaign",
    path="campaigns",
    task=ADVANCE,
    refused=CampaignRefused,
    recheck=_recheck,
    enqueue=lambda c: jobs.after_commit(ADVANCE, c.pk),
    stale=_stale,
    decision_details=lambda c: {"version": c.version, "roles": c.role_name},
    related=(),
    typed=lambda c: confirmation(c),
)


def production_accounts(campaign: Campaign) -> list[str]:
    rows = campaign.roles.filter(state=CampaignRole.State.PENDING, production=True)
    return sorted(set(rows.values_list("account_name", flat=True)))


def not_checked(campaign: Campaign, states=(CampaignRole.State.PENDING,)) -> int:
    """Rows in `states` that were "Not checked" at selection: each one included only on
    the author's acknowledgement (roles/campaigns/select.py)."""
    return campaign.roles.filter(state__in=states, verdict="not_checked").count()


def confirmation(campaign: Campaign) -> str:
    """What the approver types: the number of roles, how many of them rolecall could
    not check, and the production accounts."""
    phrase = f"retire {campaign.role_name}"
    unchecked = not_checked(campaign)
    if unchecked:
        phrase += f" ({unchecked} not checked)"
    production = production_accounts(campaign)
    if production:
        phrase += f" including {', '.join(production)}"
    return phrase

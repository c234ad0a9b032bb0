"""Campaigns approved and run through their worker steps in this process."""

from __future__ import annotations

from roles.campaigns import run, service
from roles.campaigns.kind import confirmation
from roles.models import Campaign, DeletionRequest
from tests.support.drive import drive_deletion


def approved(campaign, approver) -> Campaign:
    service.ask_approval(campaign, user=campaign.requested_by)
    campaign.refresh_from_db()
    return service.decide(
        campaign,
        user=approver,
        approve=True,
        comment="reviewed",
        version=campaign.version,
        typed=confirmation(campaign),
    )


def run_to_the_end(campaign, limit: int = 40) -> Campaign:
    """advance() and every deletion it started, as the worker would, until it ends."""
    for _ in range(limit):
        run.advance(campaign.pk, task_id="test")
        campaign.refresh_from_db()
        if campaign.state != Campaign.State.RUNNING:
            return campaign
        for deletion in DeletionRequest.objects.filter(campaign=campaign).active():
            drive_deletion(deletion)
    raise AssertionError(f"campaign still {campaign.state}")

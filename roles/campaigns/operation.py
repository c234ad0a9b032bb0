"""Campaigns as the sweeper sees them (roles/jobs/__init__.py Operation).

A queued or running campaign with no deletion in flight and no change for longer
than the grace has work its task should be doing (rows to settle or start): its
advance task is sent again. Past the re-dispatch limit it is paused, audited and
its author and approver told; nothing is lost, and an operator resumes it.
Re-sending is safe: advance() works under the campaign's row lock and starts a
role only once (roles/campaigns/run.py).
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from roles import jobs
from roles.campaigns.kind import ADVANCE, CAMPAIGN
from roles.campaigns.models import Campaign, CampaignRole
from roles.deletion.models import DeletionRequest
from roles.jobs import Operation
from roles.notifications.models import Notification, NotificationKind
from roles.notifications.notify import notify, people_concerned


def _overdue_q(grace: float) -> Q:
    in_flight = CampaignRole.objects.filter(
        campaign=OuterRef("pk"),
        state=CampaignRole.State.DELETING,
        deletion__state__in=DeletionRequest.ACTIVE,
    )
    return Q(
        state__in=Campaign.RUNNING_STATES,
        updated__lt=timezone.now() - timedelta(seconds=grace),
    ) & ~Q(Exists(in_flight))


def give_up(campaign: Campaign) -> None:
    error = jobs.gave_up("campaign", campaign, campaign.state)
    campaign.state = Campaign.State.PAUSED
    campaign.save(update_fields=["state", "updated"])
    CAMPAIGN.audit(campaign, "stalled", dispatch_attempts=campaign.dispatch_attempts)
    notify(
        people_concerned(campaign),
        f"{campaign.headline} paused: no worker moved it on",
        kind=NotificationKind.CAMPAIGN_FINISHED,
        level=Notification.Level.ERROR,
        body=f"{error['message']} Nothing was lost: resume it when the workers are back.",
        link=reverse("campaign-detail", args=[campaign.pk]),
    )


def redispatch(campaign: Campaign) -> bool:
    return jobs.publish(ADVANCE, campaign.pk)


def sent(campaign: Campaign) -> None:
    count = jobs.counted(campaign)
    Campaign.objects.filter(pk=campaign.pk).update(updated=timezone.now())
    CAMPAIGN.audit(campaign, "redispatched", dispatch_attempts=count)


CAMPAIGNS = Operation(
    name="campaign",
    model=Campaign,
    overdue_q=_overdue_q,
    give_up=give_up,
    redispatch=redispatch,
    sent=sent,
)

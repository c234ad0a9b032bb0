"""Running an approved campaign: one DeletionRequest per role, a few at a time.

advance() is the campaign's one task. Under the campaign's row lock it settles
the rows whose deletion ended, starts new deletions up to the concurrency limits
(ROLECALL_CAMPAIGN_CONCURRENCY in all, ROLECALL_CAMPAIGN_PER_ACCOUNT per account:
IAM throttles per account), and finishes the campaign when nothing is left. It
runs again whenever one of its deletions ends (roles/deletion/outcomes.py tell),
when it is resumed, and from the sweeper when it stalls (roles/campaigns/operation.py).

Each role's deletion is created in the same transaction that marks its row
deleting, and the database allows one active deletion per role: a message
delivered twice, two advances at once or a worker killed half-way never start a
role twice. The deletions go through the same submit and poll steps as any
other (roles/deletion/worker.py), already approved by the campaign's approver and
bound to the evidence frozen at selection: the worker re-reads it from AWS just
before DeleteServiceLinkedRole and skips the role if anything differs.
"""

from __future__ import annotations

from collections import Counter

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from roles.audit.models import AuditEvent
from roles.campaigns.kind import CAMPAIGN
from roles.campaigns.models import Campaign, CampaignRole
from roles.campaigns.select import ACKNOWLEDGED, NOT_CHECKED_APART
from roles.deletion.kind import SUBMIT, DeletionRefused, refuse_unless_deletable, send_after_commit
from roles.deletion.models import DeletionRequest
from roles.deletion.service import open_request
from roles.inventory.readiness import readiness
from roles.notifications.models import Notification, NotificationKind
from roles.notifications.notify import notify, people_concerned

State, Row, Deletion = Campaign.State, CampaignRole.State, DeletionRequest.State
# Deletion endings that mean "not sent": the role is skipped, not failed.
NOT_SENT = ("EvidenceChanged", "BindingChanged", "Protected", "NotSynced")


def advance(pk: int, task_id: str = "") -> str:
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update(no_key=True).filter(pk=pk).first()
        if campaign is None or campaign.state not in (*Campaign.RUNNING_STATES, State.PAUSED):
            return campaign.state if campaign else "gone"
        if campaign.state == State.QUEUED:
            campaign.state, campaign.started = State.RUNNING, timezone.now()
            CAMPAIGN.audit(campaign, "started", task_id=task_id)
        settle(campaign)
        if campaign.state == State.RUNNING:
            start(campaign)
        rows = campaign.roles.filter(state__in=(Row.PENDING, Row.DELETING))
        if not rows.exists():
            finish(campaign)
        campaign.save(update_fields=["state", "started", "finished", "updated"])
        return campaign.state


def settle(campaign: Campaign) -> int:
    """Copy each ended deletion's outcome onto its row."""
    rows = list(
        campaign.roles.filter(state=Row.DELETING)
        .exclude(deletion__state__in=DeletionRequest.ACTIVE)
        .select_related("deletion")
    )
    for row in rows:
        deletion = row.deletion
        error = deletion.last_error or {}
        if deletion.state == Deletion.SUCCEEDED:
            row.state, row.reason = Row.SUCCEEDED, ""
        elif error.get("code") in NOT_SENT:
            row.state, row.reason = Row.SKIPPED, error.get("message", "")
            row.differences = deletion.voided_changes
        else:
            row.state = Row.FAILED
            attempt = deletion.current_attempt
            row.reason = (attempt.reason if attempt else "") or error.get("message", "")
    CampaignRole.objects.bulk_update(rows, ["state", "reason", "differences"])
    return len(rows)


def start(campaign: Campaign) -> int:
    """Start deletions for pending rows, within the concurrency limits."""
    busy = Counter(campaign.roles.filter(state=Row.DELETING).values_list("account_id", flat=True))
    room = settings.ROLECALL_CAMPAIGN_CONCURRENCY - sum(busy.values())
    per_account = settings.ROLECALL_CAMPAIGN_PER_ACCOUNT
    if room <= 0:
        return 0
    started = 0
    pending = campaign.roles.filter(state=Row.PENDING).select_related("role__account")
    for row in pending.iterator(chunk_size=200):
        if started >= room:
            break
        if busy[row.account_id] >= per_account:
            continue
        if _start_one(campaign, row):
            busy[row.account_id] += 1
            started += 1
    return started


def _skip(row: CampaignRole, reason: str) -> None:
    row.state, row.reason = Row.SKIPPED, reason
    row.save(update_fields=["state", "reason", "updated"])


def _start_one(campaign: Campaign, row: CampaignRole) -> bool:
    """The row's deletion, created and queued; False when the row was skipped instead."""
    role = row.role
    try:
        refuse_unless_deletable(role)
    except DeletionRefused as exc:
        _skip(row, f"Not sent: {exc}")
        return False
    verdict = readiness(role)
    if verdict.verdict == "not_checked" and not row.evidence.get(ACKNOWLEDGED):
        # "Not checked" since it was approved (a rule or a read changed): the approver
        # was never told rolecall cannot check it, so it is not the approver's to send.
        _skip(row, f"Not sent: {NOT_CHECKED_APART}. {verdict.text}")
        return False
    active = role.deletions.active().first()
    if active:
        _skip(row, f"Not sent: deletion #{active.pk} of this role is already under way.")
        return False
    evidence = row.evidence
    try:
        with transaction.atomic():
            deletion = open_request(
                role,
                evidence,
                user=campaign.requested_by,
                campaign=campaign,
                state=Deletion.QUEUED,
                approval_required=True,
                approved_by=campaign.approved_by,
                approved_at=campaign.approved_at,
            )
            AuditEvent.objects.record(
                "deletion.requested",
                actor_name=campaign.requested_by_name,
                actor=campaign.requested_by,
                target_arn=row.role_arn,
                account_id=evidence["account"]["id"],
                details={
                    "deletion_request": deletion.pk,
                    "campaign": campaign.pk,
                    "approved_by": campaign.approved_by.get_username()
                    if campaign.approved_by
                    else "",
                },
            )
            row.deletion, row.state = deletion, Row.DELETING
            row.save(update_fields=["deletion", "state", "updated"])
            send_after_commit(SUBMIT, deletion.pk)
    except IntegrityError:  # a deletion of the role was asked for just now
        _skip(row, "Not sent: another deletion of this role started at the same time.")
        return False
    return True


def finish(campaign: Campaign) -> None:
    """The last role is done: one audit event and one notification with the totals."""
    counts = Counter(campaign.roles.values_list("state", flat=True))
    campaign.state, campaign.finished = State.FINISHED, timezone.now()
    done = {key: counts.get(key, 0) for key in (Row.SUCCEEDED, Row.FAILED, Row.SKIPPED)}
    CAMPAIGN.audit(campaign, "finished", **done)
    text = ", ".join(f"{n} {state}" for state, n in done.items())
    notify(
        people_concerned(campaign),
        f"{campaign.headline} finished: {text}",
        kind=NotificationKind.CAMPAIGN_FINISHED,
        level=Notification.Level.SUCCESS
        if not (done[Row.FAILED] or done[Row.SKIPPED])
        else Notification.Level.WARNING,
        link=reverse("campaign-detail", args=[campaign.pk]),
    )

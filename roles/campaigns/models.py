"""Retirement campaigns: many roles reviewed and retired under one approval.

A campaign is one more kind of approved change (roles/approval/models.py,
roles/approval/__init__.py). It is drafted from a roles-list filter (or picked rows); the
draft freezes each role's evidence as the deletion confirmation would
(roles/deletion/evidence.py snapshot) and sets apart, with the reason, every role
it will never act on. Editing the draft (removing rows) bumps its version and
makes the editor one of its requesters; one approver who is none of them
approves the version they were shown. The run then makes one DeletionRequest per
role, already approved by that approver and bound to the frozen evidence, and
drives it through the same submit and poll steps as any deletion
(roles/campaigns/run.py).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from roles.approval.models import ApprovedChange


class Campaign(ApprovedChange):
    class State(models.TextChoices):
        DRAFT = "draft"
        AWAITING_APPROVAL = "awaiting_approval"
        QUEUED = "queued"  # approved; the run has not started
        RUNNING = "running"
        PAUSED = "paused"
        FINISHED = "finished"
        REJECTED = "rejected"
        DISCARDED = "discarded"

    ACTIVE = (
        State.DRAFT,
        State.AWAITING_APPROVAL,
        State.QUEUED,
        State.RUNNING,
        State.PAUSED,
    )
    EDITABLE = (State.DRAFT,)
    RUNNING_STATES = (State.QUEUED, State.RUNNING)

    name = models.CharField(max_length=200)
    state = models.CharField(max_length=24, choices=State.choices, default=State.DRAFT)
    # The roles-list query it was drafted from (or "picked": the ids), for the record.
    selection = models.JSONField(default=dict)
    # Bumped by every edit; an approval names the version the approver was shown.
    version = models.PositiveIntegerField(default=1)
    approval_confirmation = models.CharField(max_length=300, blank=True)
    paused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    started = models.DateTimeField(null=True, blank=True)
    dispatch_attempts = models.PositiveIntegerField(default=0)

    NOUN = "campaign"
    SESSION_KIND = "campaign"
    SELF_DECISION = "You drafted or edited this campaign: an approver who did neither must decide."

    class Meta(ApprovedChange.Meta):
        indexes = [models.Index(fields=["state", "updated"], name="campaign_state_updated")]

    def __str__(self) -> str:
        return f"campaign #{self.pk} {self.name} ({self.state})"

    def requester_ids(self) -> set[int]:
        """The author and everyone who edited the draft: none of them may approve it."""
        ids = {
            self.requested_by_id,
            *self.roles.exclude(removed_by=None).values_list("removed_by_id", flat=True),
        }
        ids.discard(None)
        return ids

    def audit_target(self) -> tuple[str, str]:
        return "", ""

    @property
    def headline(self) -> str:
        return f"Campaign “{self.name}”"

    @property
    def question(self) -> str:
        return f"retire {self.role_name} (campaign “{self.name}”)"


class CampaignRole(models.Model):
    """One role of a campaign: its evidence at selection, and what became of it."""

    class State(models.TextChoices):
        EXCLUDED = "excluded"  # set apart at selection, never acted on (reason)
        REMOVED = "removed"  # taken out of the draft by a person
        PENDING = "pending"
        DELETING = "deleting"  # its DeletionRequest is on its way
        SUCCEEDED = "succeeded"
        FAILED = "failed"  # AWS refused or reported a failure (reason, RoleUsageList)
        SKIPPED = "skipped"  # not sent: its evidence or rules changed (differences)

    ACTED_ON = (State.PENDING, State.DELETING, State.SUCCEEDED, State.FAILED, State.SKIPPED)
    DONE = (State.SUCCEEDED, State.FAILED, State.SKIPPED)

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="roles")
    role = models.ForeignKey(
        "roles.ServiceLinkedRole", on_delete=models.PROTECT, related_name="campaign_rows"
    )
    account = models.ForeignKey("roles.Account", on_delete=models.PROTECT, related_name="+")
    # Copied at selection: the report outlives renames.
    role_arn = models.CharField(max_length=2048)
    role_name = models.CharField(max_length=512)
    account_name = models.CharField(max_length=200)
    service_principal = models.CharField(max_length=255)
    verdict = models.CharField(max_length=32)
    production = models.BooleanField(default=False)
    evidence = models.JSONField(default=dict)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    reason = models.TextField(blank=True)  # why excluded, skipped or failed
    differences = models.JSONField(default=list, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    deletion = models.OneToOneField(
        "roles.DeletionRequest",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="campaign_row",
    )
    order = models.PositiveIntegerField(default=0)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "role"], name="one_row_per_campaign_role")
        ]
        indexes = [models.Index(fields=["campaign", "state"], name="campaignrole_state")]

    def __str__(self) -> str:
        return f"{self.role_name} in {self.account_name} ({self.state})"

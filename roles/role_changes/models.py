"""Direct changes: a role's description, a new service-linked role.

They need no approval, but like every change they are made by the worker, not
the web process: the page stores a RoleChange (queued) and publishes a task on
the `changes` queue; the worker assumes the account's change role for that one
change (roles/aws/change.py), makes the call and records the outcome here, in
the audit history and as a notification to the person who asked
(roles/role_changes/worker.py). The sweeper re-sends a queued change whose message
was lost and closes a running one whose worker died (roles/role_changes/operation.py).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from roles.core.querysets import ActiveQuerySet


class RoleChange(models.Model):
    class Kind(models.TextChoices):
        DESCRIPTION = "description", "Description edit"
        CREATE = "create", "Role creation"

    class State(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        FAILED = "failed"

    ACTIVE = (State.QUEUED, State.RUNNING)
    STATE_FIELD = "state"
    # The audit actions of asking, and of AWS's answer.
    REQUESTED = {
        Kind.DESCRIPTION: "role.description_edit_requested",
        Kind.CREATE: "role.create_requested",
    }
    ACTION = {Kind.DESCRIPTION: "role.description_edited", Kind.CREATE: "role.created"}

    kind = models.CharField(max_length=16, choices=Kind.choices)
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    account = models.ForeignKey("roles.Account", on_delete=models.PROTECT, related_name="+")
    role = models.ForeignKey(
        "roles.ServiceLinkedRole",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="changes",
    )
    # What the request is bound to: the account's AWS id and (for a description)
    # the role's ARN when the user asked. The worker refuses the change if either
    # moved since, so a re-pointed account is never changed in the user's name.
    bound_account_id = models.CharField(max_length=12)
    target_arn = models.CharField(max_length=2048, blank=True)
    # The role's name (description) or "principal|suffix" (creation): at most one
    # active change of a kind per subject and account (constraint below).
    subject = models.CharField(max_length=400)
    params = models.JSONField(default=dict)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_by_name = models.CharField(max_length=150)
    source_ip = models.GenericIPAddressField(null=True, blank=True)
    error = models.JSONField(default=dict, blank=True)
    aws_request_id = models.CharField(max_length=128, blank=True)
    change_session = models.CharField(max_length=64, blank=True)
    changed_as = models.CharField(max_length=2048, blank=True)
    task_id = models.CharField(max_length=255, blank=True)
    dispatch_attempts = models.PositiveIntegerField(default=0)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)

    objects = ActiveQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "kind", "subject"],
                condition=Q(state__in=["queued", "running"]),
                name="one_active_change_per_subject",
            )
        ]
        indexes = [models.Index(fields=["state", "updated"], name="rolechange_state_updated")]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject} ({self.state})"

    def requester_ids(self) -> set[int]:
        """Who asked for the change (roles/notifications/notify.py people_concerned)."""
        return {self.requested_by_id} if self.requested_by_id else set()

    @property
    def action(self) -> str:
        return self.ACTION[self.Kind(self.kind)]

    @property
    def requested_action(self) -> str:
        return self.REQUESTED[self.Kind(self.kind)]

    @property
    def label(self) -> str:
        if self.kind == self.Kind.DESCRIPTION:
            return f"Description of {self.subject}"
        return f"Creation of the role for {self.params.get('service_principal', '?')}"

"""Deletion requests and their attempts: the database is the truth, Celery the hint.

A request moves queued -> submitted -> in_progress -> succeeded | failed | error
(awaiting_approval comes first when two-person approval is on). Each try at
AWS is an attempt with its own DeletionTaskId; "Retry" adds an attempt to the
same request. The tasks in roles/deletion/tasks.py and the sweeper read
next_poll_at from here, so a lost Celery message never loses a deletion.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from roles.approval.models import ApprovedChange


class DeletionRequest(ApprovedChange):
    class State(models.TextChoices):
        REQUESTED = "requested"
        AWAITING_APPROVAL = "awaiting_approval"
        QUEUED = "queued"
        SUBMITTED = "submitted"
        IN_PROGRESS = "in_progress"
        SUCCEEDED = "succeeded"
        FAILED = "failed"
        ERROR = "error"
        REJECTED = "rejected"

    ACTIVE = (
        State.REQUESTED,
        State.AWAITING_APPROVAL,
        State.QUEUED,
        State.SUBMITTED,
        State.IN_PROGRESS,
    )
    # States the worker drives (the sweeper re-dispatches them when overdue).
    WORKING = (State.QUEUED, State.SUBMITTED, State.IN_PROGRESS)
    RETRYABLE = (State.FAILED, State.ERROR)

    role = models.ForeignKey(
        "roles.ServiceLinkedRole", on_delete=models.PROTECT, related_name="deletions"
    )
    account = models.ForeignKey("roles.Account", on_delete=models.PROTECT, related_name="+")
    # What the request (and so every approval of it) is bound to: the account
    # and the role as AWS identified them when the operator confirmed. The worker
    # compares both with what AWS answers (sts:GetCallerIdentity through the
    # assumed role, iam:GetRole) just before DeleteServiceLinkedRole; any
    # difference ends the request (roles/deletion/worker.py).
    bound_account_id = models.CharField(max_length=12, default="")
    bound_role_id = models.CharField(max_length=128, default="")
    state = models.CharField(max_length=24, choices=State.choices, default=State.QUEUED)
    # When the evidence re-read just before submission differed from what was
    # approved: [{"field", "approved", "now"}] (roles/deletion/evidence.py).
    voided_changes = models.JSONField(default=list, blank=True)
    # What the requester saw when confirming (roles/deletion/evidence.py).
    evidence = models.JSONField(default=dict)
    # Bumped whenever the evidence is replaced (a retry, a voided approval); the
    # approval form carries the version the approver was shown, and a decision
    # on another version is refused with the difference (service.decide).
    evidence_version = models.PositiveIntegerField(default=1)
    # Earlier versions, oldest first: [{"version": n, "evidence": {...}}].
    evidence_log = models.JSONField(default=list, blank=True)
    # Set when a retirement campaign made the request (roles/campaigns/run.py): its
    # outcome goes to the campaign (one notification at the end, not one per role),
    # and evidence that changed since selection skips the role instead of asking
    # for a new approval.
    campaign = models.ForeignKey(
        "roles.Campaign", on_delete=models.PROTECT, null=True, blank=True, related_name="deletions"
    )
    next_poll_at = models.DateTimeField(null=True, blank=True, db_index=True)
    dispatch_attempts = models.PositiveIntegerField(default=0)
    last_error = models.JSONField(default=dict, blank=True)

    class Meta(ApprovedChange.Meta):
        constraints = [
            # Double click, two tabs or two users: one request, one AWS call.
            models.UniqueConstraint(
                fields=["role"],
                condition=models.Q(
                    state__in=[
                        "requested",
                        "awaiting_approval",
                        "queued",
                        "submitted",
                        "in_progress",
                    ]
                ),
                name="one_active_deletion_per_role",
            )
        ]
        indexes = [models.Index(fields=["state", "next_poll_at"], name="deletion_state_poll")]

    NOUN = "request"
    SESSION_KIND = "deletion"
    SELF_DECISION = "You asked for this deletion (or a retry of it): another approver must decide."
    HEADLINE, QUESTION = "Deletion of {role} in {account}", "delete {role} in {account}"

    def __str__(self) -> str:
        return f"deletion #{self.pk} of {self.role_arn} ({self.state})"

    def requester_ids(self) -> set[int]:
        """The requester and each person who retried it (two-person approval)."""
        ids = {self.requested_by_id, *self.attempts.values_list("requested_by_id", flat=True)}
        ids.discard(None)
        return ids

    def change_requester_id(self) -> int | None:
        """Whoever asked for the attempt now being made: a retry names the retrier."""
        latest = self.attempts.order_by("-number").values_list("requested_by_id", flat=True)
        return latest.first() or self.requested_by_id

    @property
    def current_attempt(self) -> DeletionAttempt | None:
        return self.attempts.order_by("-number").first()

    def evidence_at(self, version: int) -> dict | None:
        """The evidence as it was at `version` (None if unknown)."""
        if version == self.evidence_version:
            return self.evidence
        return next((e["evidence"] for e in self.evidence_log if e["version"] == version), None)


class DeletionAttempt(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending"  # not yet sent to AWS
        NOT_STARTED = "NOT_STARTED"
        IN_PROGRESS = "IN_PROGRESS"
        SUCCEEDED = "SUCCEEDED"
        FAILED = "FAILED"
        ERROR = "error"  # ended by an AWS error before AWS gave an outcome

    request = models.ForeignKey(DeletionRequest, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveIntegerField()
    # Who asked for this attempt: the requester for the first, whoever retried
    # for the others. None of them may approve the request (requester_ids).
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_by_name = models.CharField(max_length=150, blank=True)
    deletion_task_id = models.CharField(max_length=512, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    reason = models.TextField(blank=True)
    # [{"Region": ..., "Resources": [...]}] as AWS reported it on FAILED.
    role_usage_list = models.JSONField(default=list, blank=True)
    error = models.JSONField(default=dict, blank=True)
    submit_request_id = models.CharField(max_length=128, blank=True)
    # Who AWS saw make the DeleteServiceLinkedRole call (the change session's ARN).
    changed_as = models.CharField(max_length=2048, blank=True)
    # Retryable AWS errors absorbed on the way (Throttling, ServiceFailure...).
    transient_errors = models.JSONField(default=list, blank=True)
    polls = models.PositiveIntegerField(default=0)
    missing_checks = models.PositiveIntegerField(default=0)
    created = models.DateTimeField(auto_now_add=True)
    # When the protected list and the account binding were last checked, in the
    # transaction right before DeleteServiceLinkedRole was sent (worker.submit).
    checked_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["request", "number"], name="one_attempt_number"),
        ]

    def __str__(self) -> str:
        return f"attempt {self.number} of deletion #{self.request_id} ({self.status})"

"""Cleanup plans: the ECS resources that keep a role in use, removed in AWS's order.

A plan is built from a fresh inventory (roles/cleanup/plan.py) and stored
before anything changes in AWS; executing it (roles/cleanup/run.py) walks each
region's steps in order, committing before and after each AWS call (never
across it), so a worker that dies resumes from the one unfinished step.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from roles.approval.models import ApprovedChange

ACTIVE_STATES = ["planned", "awaiting_approval", "queued", "running"]


class CleanupPlan(ApprovedChange):
    class State(models.TextChoices):
        PLANNED = "planned"  # a dry run: shown and stored, nothing sent to AWS
        AWAITING_APPROVAL = "awaiting_approval"
        QUEUED = "queued"
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        PARTIAL = "partial"
        FAILED = "failed"
        REJECTED = "rejected"
        SUPERSEDED = "superseded"  # a newer plan of the same role replaced this dry run

    ACTIVE = tuple(ACTIVE_STATES)
    FINISHED = (State.SUCCEEDED, State.PARTIAL, State.FAILED)

    role = models.ForeignKey(
        "roles.ServiceLinkedRole", on_delete=models.PROTECT, related_name="cleanups"
    )
    account = models.ForeignKey("roles.Account", on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=24, choices=State.choices, default=State.PLANNED)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # Why steps are skipped: protected role or account, protected clusters.
    protected_notes = models.JSONField(default=list, blank=True)
    # AWS calls the read-only inventory made while planning.
    inventory_calls = models.PositiveIntegerField(default=0)
    started = models.DateTimeField(null=True, blank=True)
    # The sync run that re-read the inventory once the plan ended.
    resync = models.ForeignKey(
        "roles.SyncRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta(ApprovedChange.Meta):
        constraints = [
            # Two tabs or two operators: one plan at a time touches a role's resources.
            models.UniqueConstraint(
                fields=["role"],
                condition=models.Q(state__in=ACTIVE_STATES),
                name="one_active_cleanup_per_role",
            )
        ]

    NOUN = "cleanup"
    SESSION_KIND = "cleanup"
    SELF_DECISION = "You planned or confirmed this cleanup: another approver must decide."
    HEADLINE = "Cleanup for {role} in {account}"
    QUESTION = "clean up what keeps {role} in use in {account}"

    def __str__(self) -> str:
        return f"cleanup #{self.pk} of {self.role_arn} ({self.state})"

    def requester_ids(self) -> set[int]:
        """Whoever planned it and whoever confirmed its execution (two-person approval)."""
        return {pk for pk in (self.requested_by_id, self.confirmed_by_id) if pk is not None}

    def change_requester_id(self) -> int | None:
        """Whoever confirmed the execution set the changes going."""
        return self.confirmed_by_id or self.requested_by_id

    @property
    def is_working(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING)


class CleanupRegion(models.Model):
    """One region of a plan: its own progress, retry schedule and stop reason.

    The region task (roles/cleanup/tasks.py) takes a lease on this row before
    each AWS call (lease_token, lease_until) and records the outcome only while
    the lease still carries its token, so two deliveries of the same task never
    run a step side by side, and no row lock is held while AWS answers.
    """

    class State(models.TextChoices):
        PENDING = "pending"
        RUNNING = "running"
        WAITING = "waiting"  # a retry or a drain check is scheduled at next_run_at
        DONE = "done"
        STOPPED = "stopped"  # a step was refused; the rest of the region was not run
        UNREAD = "unread"  # the inventory could not be read while planning

    TERMINAL = (State.DONE, State.STOPPED, State.UNREAD)

    plan = models.ForeignKey(CleanupPlan, on_delete=models.CASCADE, related_name="regions")
    region = models.CharField(max_length=32)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    read_error = models.JSONField(default=dict, blank=True)
    next_run_at = models.DateTimeField(null=True, blank=True, db_index=True)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)
    updated = models.DateTimeField(auto_now=True)
    # The task run working on the region now, and until when (a bound derived from
    # the AWS timeouts); an expired lease is a worker that died mid-step.
    lease_token = models.CharField(max_length=64, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    # Re-dispatches by the sweeper (roles/cleanup/operation.py); past
    # ROLECALL_SWEEPER_MAX_DISPATCHES the region stops with last_error SweeperGaveUp.
    dispatch_attempts = models.PositiveIntegerField(default=0)
    last_error = models.JSONField(default=dict, blank=True)
    # What the plan holds here, counted once when it is built (a plan's steps are
    # written once, by roles/cleanup/plan.py build; only their status changes), so
    # the plan's page never counts 12,000 steps: steps, {action: steps}, clusters.
    step_total = models.PositiveIntegerField(default=0)
    step_actions = models.JSONField(default=dict, blank=True)
    cluster_total = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["region"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "region"], name="one_cleanup_region")
        ]

    def __str__(self) -> str:
        return f"{self.region} of cleanup #{self.plan_id} ({self.state})"


class CleanupStep(models.Model):
    class Action(models.TextChoices):
        SCALE_DOWN = "UpdateService", "UpdateService (desiredCount=0)"
        DELETE_SERVICE = "DeleteService", "DeleteService"
        DEREGISTER = "DeregisterContainerInstance", "DeregisterContainerInstance (force=true)"
        WAIT_FOR_DRAIN = "WaitForDrain", "Wait for services to drain"
        DELETE_CLUSTER = "DeleteCluster", "DeleteCluster"

    class Status(models.TextChoices):
        PENDING = "pending"
        DONE = "done"
        SKIPPED = "skipped"
        FAILED = "failed"

    plan = models.ForeignKey(CleanupPlan, on_delete=models.CASCADE, related_name="steps")
    region = models.ForeignKey(CleanupRegion, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveIntegerField()
    action = models.CharField(max_length=32, choices=Action.choices)
    resource_arn = models.CharField(max_length=2048)
    cluster_arn = models.CharField(max_length=2048)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    # Why a step was skipped, or how it ended without a change ("already gone").
    note = models.TextField(blank=True)
    error_code = models.CharField(max_length=128, blank=True)
    error_message = models.TextField(blank=True)
    request_id = models.CharField(max_length=128, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    # Retryable errors absorbed on the way (Throttling, ServerException...).
    transient_errors = models.JSONField(default=list, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["region__region", "order"]
        constraints = [
            models.UniqueConstraint(fields=["region", "order"], name="one_cleanup_step_order")
        ]
        indexes = [models.Index(fields=["region", "status", "order"], name="cleanup_next_step")]

    def __str__(self) -> str:
        return f"{self.action} {self.resource_arn} ({self.status})"

    @property
    def error(self) -> dict:
        """The step's AWS error in the shape of AwsError.as_dict(), for the error partial."""
        return {
            "code": self.error_code,
            "message": self.error_message,
            "request_id": self.request_id,
        }

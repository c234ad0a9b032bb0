from django.conf import settings
from django.db import models

from roles.core.querysets import ActiveQuerySet


class SyncRun(models.Model):
    """One sync of one account: the row is the truth, the Celery message is a hint."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        PARTIAL = "partial"  # some regions failed; their previous data is kept, marked stale
        FAILED = "failed"

    ACTIVE = (Status.QUEUED, Status.RUNNING)
    STATE_FIELD = "status"

    account = models.ForeignKey("roles.Account", on_delete=models.CASCADE, related_name="syncs")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)
    aws_calls = models.PositiveIntegerField(default=0)
    regions = models.JSONField(default=list, blank=True)
    # {region: {"code", "message", "request_id", "operation"}}
    region_errors = models.JSONField(default=dict, blank=True)
    # {role arn: error} for roles whose details could not be read this time.
    role_errors = models.JSONField(default=dict, blank=True)
    # An account-level failure (AssumeRole refused, IAM unreachable...).
    error = models.JSONField(default=dict, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    task_id = models.CharField(max_length=255, blank=True)
    dispatch_attempts = models.PositiveIntegerField(default=0)

    objects = ActiveQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        indexes = [models.Index(fields=["account", "-created"], name="syncrun_account_created")]
        constraints = [
            # One sync at a time per account: a second Refresh joins the first.
            models.UniqueConstraint(
                fields=["account"],
                condition=models.Q(status__in=["queued", "running"]),
                name="one_active_sync_per_account",
            )
        ]

    def __str__(self) -> str:
        return f"sync #{self.pk} of {self.account_id} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def duration(self):
        if self.started and self.finished:
            return self.finished - self.started
        return None

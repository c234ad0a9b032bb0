"""Counts kept per account by the sync (roles/summary.py), so the overview and the
accounts page read one row per account instead of counting every role."""

from django.db import models


class AccountSummary(models.Model):
    account = models.OneToOneField(
        "roles.Account", on_delete=models.CASCADE, primary_key=True, related_name="summary"
    )
    # Every row the account has, whatever its state: the role list's total.
    roles = models.PositiveIntegerField(default=0)
    live = models.PositiveIntegerField(default=0)
    # Live roles used within IN_USE_DAYS of `computed`, and the rest.
    in_use = models.PositiveIntegerField(default=0)
    unused = models.PositiveIntegerField(default=0)
    blocked = models.PositiveIntegerField(default=0)
    # {verdict: count of live roles} (roles/readiness.py VERDICTS).
    verdicts = models.JSONField(default=dict, blank=True)
    # ECS regions and other services' reads that failed at the last sync.
    stale_regions = models.PositiveIntegerField(default=0)
    stale_reads = models.PositiveIntegerField(default=0)
    last_success = models.DateTimeField(null=True, blank=True)
    computed = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"summary of {self.account_id}"

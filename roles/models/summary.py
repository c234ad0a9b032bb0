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
    # Live roles per verdict (roles/readiness.py VERDICTS), one column each so
    # that the organization's counts are summed in SQL: verdict_field(v).
    verdict_ready = models.PositiveIntegerField(default=0)
    verdict_blocked = models.PositiveIntegerField(default=0)
    verdict_unknown = models.PositiveIntegerField(default=0)
    verdict_not_checked = models.PositiveIntegerField(default=0)
    verdict_not_deletable = models.PositiveIntegerField(default=0)
    # ECS regions and other services' reads that failed at the last sync.
    stale_regions = models.PositiveIntegerField(default=0)
    stale_reads = models.PositiveIntegerField(default=0)
    last_success = models.DateTimeField(null=True, blank=True)
    computed = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"summary of {self.account_id}"

    @staticmethod
    def verdict_field(verdict: str) -> str:
        return f"verdict_{verdict}"

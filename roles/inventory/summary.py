"""The per-account counts behind the overview and the accounts page.

Counting 60,000 roles at every page view is what made those pages grow with the
organization. The counts are kept instead, per account, by whatever changes the
rows they count: the sync's store (roles/inventory/sync/store.py refresh_blockers), the end
of a sync (last success), a deletion that succeeds, an account renamed. "In use"
is measured against the time of the count, so it is as fresh as the last sync."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.db import models
from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from roles.inventory.models import EcsRegion, ServiceLinkedRole, ServiceRegion
from roles.inventory.readiness import VERDICTS
from roles.inventory.sync.models import SyncRun


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
    # Live roles whose verdict is "blocked" (BLOCKED): the one number the overview,
    # the roles list's "blocked" filter and the API give. A role with blocking
    # resources that AWS does not allow deleting anyway is "not deletable", not blocked.
    blocked = models.PositiveIntegerField(default=0)
    # Live roles per verdict (roles/inventory/readiness.py VERDICTS), one column each so
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


IN_USE_DAYS = 90
# What "blocked" means everywhere: the verdict (roles/inventory/readiness.py), on a live
# role. The roles list's has_blockers filter (roles/inventory/listing.py) is this set.
BLOCKED = Q(state__in=ServiceLinkedRole.LIVE, verdict="blocked")


def _role_counts(account_ids: list[int], now) -> dict[int, dict]:

    verdict_field = AccountSummary.verdict_field
    live = Q(state__in=ServiceLinkedRole.LIVE)
    cutoff = now - timedelta(days=IN_USE_DAYS)
    rows = (
        ServiceLinkedRole.objects.filter(account_id__in=account_ids)
        .order_by()
        .values("account_id")
        .annotate(
            roles=Count("pk"),
            live=Count("pk", filter=live),
            in_use=Count("pk", filter=live & Q(last_used_at__gte=cutoff)),
            blocked=Count("pk", filter=BLOCKED),
            **{verdict_field(v): Count("pk", filter=live & Q(verdict=v)) for v in VERDICTS},
        )
    )
    counts = {}
    for row in rows:
        row["unused"] = row["live"] - row["in_use"]
        counts[row.pop("account_id")] = row
    return counts


def _stale(model, account_ids: list[int]) -> dict[int, int]:
    rows = (
        model.objects.filter(account_id__in=account_ids, stale=True)
        .order_by()
        .values("account_id")
        .annotate(n=Count("pk"))
    )
    return {row["account_id"]: row["n"] for row in rows}


def summarise(accounts: Iterable) -> None:
    """Recount the given accounts (Account rows or ids) in five queries."""

    ids = sorted({getattr(a, "pk", a) for a in accounts})
    if not ids:
        return
    now = timezone.now()
    counts = _role_counts(ids, now)
    stale_ecs, stale_reads = _stale(EcsRegion, ids), _stale(ServiceRegion, ids)
    last = dict(
        SyncRun.objects.filter(account_id__in=ids, status=SyncRun.Status.SUCCEEDED)
        .order_by()
        .values("account_id")
        .annotate(at=Max("finished"))
        .values_list("account_id", "at")
    )
    rows = [
        AccountSummary(
            account_id=pk,
            **counts.get(pk, {}),
            stale_regions=stale_ecs.get(pk, 0),
            stale_reads=stale_reads.get(pk, 0),
            last_success=last.get(pk),
            computed=now,
        )
        for pk in ids
    ]
    AccountSummary.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["account"],
        update_fields=[f.name for f in AccountSummary._meta.concrete_fields if f.name != "account"],
    )


def totals() -> dict:
    """The organization's counts: one aggregate over one row per account."""

    fields = ("roles", "live", "in_use", "unused")
    per_verdict = {v: AccountSummary.verdict_field(v) for v in VERDICTS}
    summed = AccountSummary.objects.aggregate(
        **{f: Sum(f) for f in (*fields, *per_verdict.values())}
    )
    result = {f: summed[f] or 0 for f in fields}
    result["verdicts"] = {v: summed[f] or 0 for v, f in per_verdict.items()}
    # One number: the verdict's own count, whatever a summary written before "blocked"
    # meant the verdict holds in its `blocked` column.
    result["blocked"] = result["verdicts"]["blocked"]
    result["total"] = result["live"]  # what the overview calls its roles
    return result


def rename(account) -> None:
    """Carry an account's new name into its roles' sort and search columns."""

    roles = list(
        ServiceLinkedRole.objects.filter(account=account).only("pk", "arn", "service_principal")
    )
    for role in roles:
        role.account_name = account.name
        role.search = search_text(role.arn, role.service_principal, account.name)
    ServiceLinkedRole.objects.bulk_update(roles, ["account_name", "search"], batch_size=1000)


def search_text(arn: str, principal: str, account_name: str) -> str:
    return f"{arn} {principal} {account_name}".lower()

"""The account list's rows: each account with its sync's summary, and the syncs
under way; read by the account pages, the overview and the API."""

from __future__ import annotations

from django.db.models import F
from django.db.models.functions import Coalesce

from roles.core.models import Account
from roles.inventory.sync.models import SyncRun
from roles.web import keyset


def accounts_with_status():
    """Accounts with their sync's summary (roles/inventory/summary.py): one join, no counting."""
    kept = {
        "role_count": "live",
        "last_success": "last_success",
        "stale_regions": "stale_regions",
        "stale_reads": "stale_reads",
    }
    return Account.objects.annotate(
        **{
            name: F(f"summary__{column}")
            if column == "last_success"
            else Coalesce(F(f"summary__{column}"), 0)
            for name, column in kept.items()
        }
    )


BY_NAME = keyset.Order(("name", "pk"))


def active_syncs(accounts) -> dict:
    """The unfinished sync of each shown account, in one query."""
    runs = SyncRun.objects.active().filter(account__in=[a.pk for a in accounts])
    return {r.account_id: r for r in runs}

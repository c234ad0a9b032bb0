"""Sync history kept to a retention: ROLECALL_SYNC_HISTORY_DAYS.

At 2,000 accounts synced hourly the table grows by 48,000 rows a day, and the
pages that ask for an account's last success read it. Runs older than the
retention are deleted in batches, except what a page or a rail still reads:
each account's last successful run and its latest run of any kind, every run
still queued or running, and every run another feature still reads (a cleanup
plan waits on its re-sync): each registers those from its ready() (keep()).
The audit history keeps each run's "sync.finished" event whatever is pruned.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import timedelta

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from roles.audit.models import AuditEvent
from roles.inventory.sync.models import SyncRun

BATCH = 1000
_KEEPERS: list[Callable[[], Iterable[int]]] = []


def keep(runs: Callable[[], Iterable[int]]) -> None:
    """Pruning never deletes the runs `runs()` names (ids), whatever their age."""
    _KEEPERS.append(runs)


def kept_ids() -> set[int]:
    """The runs pruning never deletes, whatever their age."""
    latest = SyncRun.objects.order_by().values("account").annotate(pk=Max("pk")).values("pk")
    success = (
        SyncRun.objects.filter(status=SyncRun.Status.SUCCEEDED)
        .order_by()
        .values("account")
        .annotate(pk=Max("pk"))
        .values("pk")
    )
    kept = {row["pk"] for row in latest} | {row["pk"] for row in success}
    kept |= set(SyncRun.objects.active().values_list("pk", flat=True))
    for runs in _KEEPERS:
        kept |= set(runs())
    return kept


def prune(days: int | None = None, now=None) -> int:
    """Delete runs created more than `days` ago (the setting by default); returns how many."""
    days = settings.ROLECALL_SYNC_HISTORY_DAYS if days is None else days
    cutoff = (now or timezone.now()) - timedelta(days=days)
    kept = kept_ids()
    deleted = 0
    while True:
        batch = list(
            SyncRun.objects.filter(created__lt=cutoff)
            .exclude(pk__in=kept)
            .order_by("pk")
            .values_list("pk", flat=True)[:BATCH]
        )
        if not batch:
            break
        deleted += SyncRun.objects.filter(pk__in=batch).delete()[0]
    if deleted:
        AuditEvent.objects.record(
            "sync.pruned",
            details={"deleted": deleted, "created_before": cutoff.isoformat(), "days": days},
        )
    return deleted

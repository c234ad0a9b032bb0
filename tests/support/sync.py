"""Syncing an account in tests, by hand or through a running worker."""

from roles.models import SyncRun
from roles.sync.service import run_sync, start_sync
from tests.support.processes import wait_for


def sync_now(account) -> SyncRun:
    """Run the sync in this process (no worker is consuming the queue)."""
    run = start_sync(account)
    run_sync(run.pk, task_id="test")
    run.refresh_from_db()
    return run


def sync_by_worker(account, timeout: float = 60) -> SyncRun:
    """Start the sync and let the running worker do it (with a worker, running
    it here as well would only race the worker for the same run)."""
    run = start_sync(account)
    wait_for(
        lambda: SyncRun.objects.get(pk=run.pk).status not in SyncRun.ACTIVE,
        timeout=timeout,
        message=f"sync #{run.pk} did not finish",
    )
    run.refresh_from_db()
    return run

"""Syncing accounts in tests: by hand, through a running worker, or the demo
accounts as most tests start from them (the `sync_demo` and `synced` fixtures,
registered for every test by tests/conftest.py)."""

import pytest

from roles.inventory.sync.service import run_sync, start_sync
from roles.models import Account, SyncRun
from tests.support.processes import wait_for

# The demo's regions with ECS clusters (emulator/scenarios/demo.py): what blocks
# prod's ECS role, and where a cleanup has work.
REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2"]


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


@pytest.fixture
def sync_demo(emulator, demo_accounts):
    """Sync demo accounts by name (all of them if none is named) on the given regions,
    in this process, as the product's sync does it.

    The emulator's call counters start from zero afterwards, so a test counts only
    the calls it caused.
    """

    def sync(*names: str, regions: list[str] = REGIONS) -> dict[str, Account]:
        for name in names or tuple(demo_accounts):
            account = demo_accounts[name]
            account.regions = list(regions)
            account.save(update_fields=["regions"])
            run = sync_now(account)
            assert run.status == SyncRun.Status.SUCCEEDED, (name, run.error, run.region_errors)
        emulator.control.reset_calls()
        return demo_accounts

    return sync


@pytest.fixture
def synced(sync_demo) -> dict[str, Account]:
    """Every demo account synced on REGIONS, by name. A test file that needs other
    accounts or regions overrides it with its own call to sync_demo."""
    return sync_demo()

"""Syncing accounts in tests: by hand, through a running worker, or the demo
accounts as most tests start from them (the `sync_demo` and `synced` fixtures,
registered for every test by tests/conftest.py).

`sync_demo` runs the product's sync against the emulator. Hundreds of tests start
from the same synced demo, and a sync costs about 2 s of emulator round trips; so
the first sync of a given start (the accounts, their settings, the regions, the
product's settings and the emulator's state: tests/support/sync.py SyncSnapshots)
is kept, and a later test starting from the very same place gets the rows that
sync wrote, written again in its own transaction. Whatever makes the start differ
(an emulator knob, a call that changed an account, a setting) makes the sync run
for real. Tests of the sync itself call sync_now, which always runs it.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta

import pytest
from django.apps import apps
from django.conf import settings

from roles.audit.models import AuditEvent
from roles.inventory.models import (
    AccessAdvisorEntry,
    EcsCluster,
    EcsRegion,
    ServiceLinkedRole,
    ServiceRegion,
    ServiceResource,
)
from roles.inventory.policies import ManagedPolicyVersion
from roles.inventory.summary import AccountSummary
from roles.inventory.sync.service import run_sync, start_sync
from roles.models import Account, SyncRun
from tests.support.processes import wait_for

# The demo's regions with ECS clusters (emulator/scenarios/demo.py): what blocks
# prod's ECS role, and where a cleanup has work.
REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2"]
# The rows a sync writes, parents before children. AccountSummary rows exist before
# (ensure_accounts) and are updated; audit events are appended through the chain.
WRITTEN = (
    SyncRun,
    ManagedPolicyVersion,
    ServiceLinkedRole,
    AccessAdvisorEntry,
    EcsRegion,
    EcsCluster,
    ServiceRegion,
    ServiceResource,
)
AUDITED = ("action", "outcome", "account_id", "target_arn", "region", "aws_request_id", "task_id")


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


def _counts() -> dict[str, int]:
    return {
        m._meta.label: m._default_manager.count() for m in apps.get_app_config("roles").get_models()
    }


def _moved(values: dict, moved: timedelta) -> dict:
    return {k: v + moved if isinstance(v, datetime) else v for k, v in values.items()}


def _values(model, pks) -> list[dict]:
    return list(model._default_manager.filter(pk__in=pks).order_by("pk").values())


class SyncSnapshots:
    """What a sync of the demo accounts wrote, by the start it was made from."""

    def __init__(self) -> None:
        self.kept: dict[str, dict] = {}
        self.hits = self.misses = 0

    @staticmethod
    def key(accounts: list, regions: list[str], emulator) -> str:
        start = {
            "accounts": [
                {f.attname: getattr(a, f.attname) for f in Account._meta.concrete_fields}
                | {"id": None, "created": None, "updated": None}
                for a in accounts
            ],
            "regions": regions,
            "settings": {
                n: getattr(settings, n) for n in dir(settings) if n.startswith("ROLECALL_")
            },
            "database": settings.DATABASES["default"]["ENGINE"],
            # Every scenario date counts back from the reset's "now": apart from it, two
            # equal states answer alike (_write_again moves the dates by the difference).
            "emulator": {k: v for k, v in emulator.control.state().items() if k != "now"},
        }
        text = json.dumps(start, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()

    def sync(self, accounts: list, regions: list[str], emulator) -> None:
        key = self.key(accounts, regions, emulator)
        kept = self.kept.get(key)
        now = datetime.fromisoformat(emulator.control.state()["now"])
        if kept is not None and self._fresh(accounts, kept):
            self.hits += 1
            return self._write_again(accounts, kept, now - kept["now"])
        self.misses += 1
        before_rows = {m: set(m._default_manager.values_list("pk", flat=True)) for m in WRITTEN}
        before_seq = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
        before = _counts()
        for account in accounts:
            run = sync_now(account)
            assert run.status == SyncRun.Status.SUCCEEDED, (account.name, run.error)
        changed = {label for label, n in _counts().items() if before.get(label) != n} - {
            m._meta.label for m in (*WRITTEN, AuditEvent)
        }
        if changed:
            return  # the sync wrote something this snapshot does not know to write again
        self.kept[key] = {
            "now": now,
            "accounts": {a.pk: a.aws_account_id for a in accounts},
            "rows": {
                m: _values(m, set(m._default_manager.values_list("pk", flat=True)) - before_rows[m])
                for m in WRITTEN
            },
            "events": list(
                AuditEvent.objects.filter(seq__gt=before_seq)
                .order_by("seq")
                .values(*AUDITED, "details")
            ),
            "summaries": list(AccountSummary.objects.filter(account__in=accounts).values()),
        }

    @staticmethod
    def _fresh(accounts: list, kept: dict) -> bool:
        """Nothing the kept rows would collide with: no sync yet of these accounts, and
        none of the policy versions they hold."""
        if SyncRun.objects.filter(account__in=accounts).exists():
            return False
        if ServiceLinkedRole.objects.filter(account__in=accounts).exists():
            return False
        versions = {(v["arn"], v["version_id"]) for v in kept["rows"][ManagedPolicyVersion]}
        return not any(
            ManagedPolicyVersion.objects.filter(arn=arn, version_id=version).exists()
            for arn, version in versions
        )

    @staticmethod
    def _write_again(accounts: list, kept: dict, moved: timedelta) -> None:
        """The kept rows, in this test's transaction: new keys, each foreign key pointed
        at the row written here, each account by its AWS id, and every date moved by as
        much as the emulator's "now" moved since (AWS's dates count back from it, the
        sync's own were taken just after it)."""
        by_aws_id = {a.aws_account_id: a.pk for a in accounts}
        account_pk = {old: by_aws_id[aws_id] for old, aws_id in kept["accounts"].items()}
        new_pk: dict[tuple, int] = {}
        for model in WRITTEN:
            rows = []
            for values in kept["rows"][model]:
                values = _moved(dict(values), moved)
                old = values.pop("id")
                for field in model._meta.concrete_fields:
                    if not field.is_relation or field.attname not in values:
                        continue
                    target, value = field.related_model, values[field.attname]
                    if value is None:
                        continue
                    if target is Account:
                        values[field.attname] = account_pk[value]
                    elif target in WRITTEN:
                        values[field.attname] = new_pk[(target, value)]
                rows.append((old, model(**values)))
            created = model._default_manager.bulk_create([row for _, row in rows])
            new_pk.update(
                {(model, old): row.pk for (old, _), row in zip(rows, created, strict=True)}
            )
        for event in kept["events"]:
            details = dict(event["details"])
            if "sync_run" in details:
                details["sync_run"] = new_pk[(SyncRun, details["sync_run"])]
            AuditEvent.objects.record(
                event["action"], details=details, **{k: event[k] for k in AUDITED[1:]}
            )
        for summary in kept["summaries"]:
            summary = _moved(dict(summary), moved)
            account = account_pk[summary.pop("account_id")]
            AccountSummary.objects.filter(account_id=account).update(**summary)


@pytest.fixture(scope="session")
def sync_snapshots() -> SyncSnapshots:
    return SyncSnapshots()


@pytest.fixture
def sync_demo(emulator, demo_accounts, sync_snapshots):
    """Sync demo accounts by name (all of them if none is named) on the given regions,
    in this process, as the product's sync does it (or as it did from the very same
    start: SyncSnapshots above).

    The emulator's call counters start from zero afterwards, so a test counts only
    the calls it caused.
    """

    def sync(*names: str, regions: list[str] = REGIONS) -> dict[str, Account]:
        accounts = [demo_accounts[name] for name in names or tuple(demo_accounts)]
        for account in accounts:
            account.regions = list(regions)
            account.save(update_fields=["regions"])
        sync_snapshots.sync(accounts, list(regions), emulator)
        emulator.control.reset_calls()
        return demo_accounts

    return sync


@pytest.fixture
def synced(sync_demo) -> dict[str, Account]:
    """Every demo account synced on REGIONS, by name. A test file that needs other
    accounts or regions overrides it with its own call to sync_demo."""
    return sync_demo()

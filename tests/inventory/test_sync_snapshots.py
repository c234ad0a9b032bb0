"""The suite's sync snapshots (tests/support/sync.py): a sync written again from what the
same start wrote before is the sync AWS would give now, and any difference in the start
runs the sync for real."""

from __future__ import annotations

from datetime import datetime

from django.db.models import ForeignKey

from roles.audit.models import AuditEvent
from roles.inventory.models import ServiceLinkedRole
from roles.inventory.summary import AccountSummary
from tests.support.sync import REGIONS, WRITTEN, SyncSnapshots


def picture(emulator) -> dict:
    """Every row a sync writes, without keys, each date as seconds before the emulator's
    "now" (or "just now"), each foreign key as what it points at."""
    now = datetime.fromisoformat(emulator.control.state()["now"])
    found = {}
    for model in WRITTEN:
        rows = []
        for row in model.objects.all():
            values = {}
            for field in model._meta.concrete_fields:
                if field.primary_key or field.name in ("created", "updated"):
                    continue
                value = getattr(row, field.name)
                if isinstance(field, ForeignKey):
                    value = str(value) if value is not None else None
                elif isinstance(value, datetime):
                    # AWS's dates to the second; the sync's own, taken as it ran, as "just now".
                    ago = round((now - value).total_seconds())
                    value = ago if abs(ago) > 60 else "just now"
                values[field.name] = value
            rows.append(values)
        found[model.__name__] = sorted(rows, key=repr)
    found["events"] = list(
        AuditEvent.objects.order_by("seq").values_list("action", "outcome", "account_id")
    )
    found["summaries"] = sorted(
        AccountSummary.objects.values_list("account__name", "roles", "live", "blocked", "unused")
    )
    return found


def on_regions(demo_accounts, regions=REGIONS) -> list:
    """The demo accounts, scanning `regions` (as sync_demo leaves them)."""
    for account in demo_accounts.values():
        account.regions = list(regions)
        account.save(update_fields=["regions"])
    return list(demo_accounts.values())


def wipe() -> None:
    for model in reversed(WRITTEN):
        model.objects.all().delete()


def test_a_sync_written_again_is_the_sync_itself(emulator, demo_accounts):
    snapshots, accounts = SyncSnapshots(), on_regions(demo_accounts)
    snapshots.sync(accounts, REGIONS, emulator)
    real = picture(emulator)
    assert ServiceLinkedRole.objects.count() > 20 and snapshots.misses == 1
    wipe()
    emulator.control.reset("demo")
    emulator.control.set_deletion(mode="polls", polls=2)
    snapshots.sync(accounts, REGIONS, emulator)
    assert snapshots.hits == 1
    again = picture(emulator)
    assert again["events"] == real["events"] * 2  # the first sync's events stay
    again["events"] = real["events"]
    assert again == real


def test_any_difference_in_the_start_runs_the_sync_for_real(emulator, demo_accounts, settings):
    snapshots, accounts = SyncSnapshots(), on_regions(demo_accounts)
    snapshots.sync(accounts, REGIONS, emulator)
    for change in (
        lambda: emulator.control.set_role_last_used("111111111111", "AWSServiceRoleForECS", None),
        lambda: setattr(settings, "ROLECALL_PROTECTED_ROLES", ["AWSServiceRoleForECS"]),
        lambda: demo_accounts["acme-prod"].__setattr__("production", False),
    ):
        wipe()
        change()
        snapshots.sync(accounts, REGIONS, emulator)
    assert (snapshots.hits, snapshots.misses) == (0, 4)
    wipe()
    snapshots.sync(on_regions(demo_accounts, ["us-east-1"]), ["us-east-1"], emulator)
    assert snapshots.misses == 5


def test_rows_already_there_run_the_sync_for_real(emulator, demo_accounts):
    snapshots, accounts = SyncSnapshots(), on_regions(demo_accounts)
    snapshots.sync(accounts, REGIONS, emulator)
    snapshots.sync(accounts, REGIONS, emulator)  # the first sync's rows would collide
    assert (snapshots.hits, snapshots.misses) == (0, 2)

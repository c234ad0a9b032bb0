"""The per-account sync pools: never more at once than configured, and that many when there is
work (ROLECALL_SYNC_REGION_CONCURRENCY / _IAM_, roles/inventory/sync/collect.py). The sync lists no
ECS services or instances (docs/scale.md), so it has no cluster pool.

Measured on real boto3 calls to the emulator over HTTP, with latency added so calls overlap:
each HTTP request is counted while in flight, by the pool thread that sent it and by the AWS
service it is signed for.
"""

from __future__ import annotations

import re
import threading
from collections import Counter

import botocore.httpsession
import pytest

from emulator.state import HUB_ACCOUNT
from roles.aws import inventory
from roles.inventory.sync.service import run_sync, start_sync
from roles.models import Account, ServiceLinkedRole

# The SQLite pass of .ci/run runs this module too (docs/testing.md).
pytestmark = pytest.mark.engine

REGIONS = ["us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1", "eu-central-1"]
SCOPE = re.compile(r"Credential=[^/]+/\d{8}/[^/]+/([a-z0-9-]+)/aws4_request")


class InFlight:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.now: Counter[str] = Counter()
        self.peak: Counter[str] = Counter()

    def enter(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self.now[key] += 1
                self.peak[key] = max(self.peak[key], self.now[key])

    def leave(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self.now[key] -= 1


def _service(request) -> str:
    header = request.headers.get("Authorization") or b""
    if isinstance(header, bytes):
        header = header.decode()
    found = SCOPE.search(header)
    return found.group(1) if found else "unsigned"


@pytest.fixture
def measured(monkeypatch):
    flight = InFlight()
    send = botocore.httpsession.URLLib3Session.send

    def counting_send(self, request):
        # ThreadPoolExecutor names its threads <thread_name_prefix>_<n>.
        keys = (f"thread:{threading.current_thread().name.rsplit('_', 1)[0]}",)
        keys += (f"service:{_service(request)}",)
        flight.enter(*keys)
        try:
            return send(self, request)
        finally:
            flight.leave(*keys)

    region = inventory._region

    def counting_region(*args, **kwargs):
        flight.enter("regions")
        try:
            return region(*args, **kwargs)
        finally:
            flight.leave("regions")

    monkeypatch.setattr(botocore.httpsession.URLLib3Session, "send", counting_send)
    monkeypatch.setattr(inventory, "_region", counting_region)
    return flight


@pytest.fixture
def estate(emulator, db):
    """One account, six regions of three clusters each, eight service-linked roles."""
    emulator.control.reset(
        "large", accounts=1, regions=6, clusters=3, services=1, instances=1, roles=8
    )
    emulator.control.set_latency(60)
    return Account.objects.create(aws_account_id=HUB_ACCOUNT, name="estate", regions=REGIONS)


@pytest.mark.parametrize("regions, iam", [(2, 2), (3, 1)])
def test_each_pool_reaches_its_limit_and_never_exceeds_it(settings, estate, measured, regions, iam):
    settings.ROLECALL_SYNC_REGION_CONCURRENCY = regions
    settings.ROLECALL_SYNC_IAM_CONCURRENCY = iam
    settings.ROLECALL_ADVISOR_POLL_SECONDS = 0.05

    run = run_sync(start_sync(estate).pk)

    assert run.status == "succeeded", run.error
    assert ServiceLinkedRole.objects.filter(account=estate).count() == 8
    peak = measured.peak
    assert peak["regions"] == regions, dict(peak)
    assert "thread:sync-ecs" not in peak, dict(peak)
    # Every IAM call of the account, wherever it is made, stays within the IAM bound.
    assert peak["service:iam"] == iam, dict(peak)
    assert peak["thread:sync-iam"] == iam, dict(peak)
    # ECS calls (ListClusters, DescribeClusters) come from the region threads only.
    assert 0 < peak["service:ecs"] <= regions, dict(peak)

"""Scenarios (demo, empty, large) and the control endpoint."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta

import pytest

from emulator.testing import EmulatorError

HUB = "123456789012"
PROD = "111111111111"
STAGING = "222222222222"


def slrs(aws, account: str) -> list[dict]:
    return aws.client("iam", account=account).list_roles(PathPrefix="/aws-service-role/")["Roles"]


def test_demo_roles(aws):
    roles = {account: slrs(aws, account) for account in (HUB, PROD, STAGING)}
    # emulator/scenarios/demo.py: 31 service-linked roles across 15 services.
    assert {account: len(r) for account, r in roles.items()} == {HUB: 9, PROD: 13, STAGING: 9}
    principals = {r["Path"].split("/")[2] for rs in roles.values() for r in rs}
    assert len(principals) == 15
    now = datetime.now(UTC)
    for role in (r for rs in roles.values() for r in rs):
        age = now - role["CreateDate"]
        assert timedelta(days=2 * 365) <= age <= timedelta(days=4 * 365 + 2)
    staging_cache = next(
        r for r in roles[STAGING] if r["RoleName"] == "AWSServiceRoleForElastiCache"
    )
    assert "<script>alert(1)</script>" in staging_cache["Description"]


def test_demo_prod_ecs_inventory(aws):
    regions = {}
    for region in ("us-east-1", "eu-west-1", "ap-southeast-2", "us-west-2"):
        ecs = aws.client("ecs", region=region, account=PROD)
        arns = ecs.list_clusters()["clusterArns"]
        if arns:
            regions[region] = ecs.describe_clusters(clusters=arns)["clusters"]
    assert sorted(regions) == ["ap-southeast-2", "eu-west-1", "us-east-1"]
    clusters = [c for cs in regions.values() for c in cs]
    assert sum(c["registeredContainerInstancesCount"] for c in clusters) == 8
    assert sum(c["activeServicesCount"] for c in clusters) == 9
    ecs = aws.client("ecs", region="us-east-1", account=PROD)
    services = ecs.describe_services(
        cluster="payments-prod", services=ecs.list_services(cluster="payments-prod")["serviceArns"]
    )["services"]
    assert {s["serviceName"]: s["desiredCount"] for s in services} == {
        "checkout-api": 6,
        "payments-worker": 4,
        "ledger-sync": 0,
    }


def test_demo_is_deterministic(aws, control):
    first = [(r["RoleName"], r["RoleId"]) for r in slrs(aws, PROD)]
    control.reset("demo")
    aws.forget()
    assert [(r["RoleName"], r["RoleId"]) for r in slrs(aws, PROD)] == first


def test_empty_scenario(emulator, control, aws):
    control.reset("empty")
    assert control.health() == {"ok": True, "scenario": "empty"}
    for account in (HUB, PROD, STAGING):
        assert slrs(aws, account) == []  # AssumeRole into each target still works
        assert aws.client("ecs", account=account).list_clusters()["clusterArns"] == []


def test_large_scenario_small_parameters(emulator, control, aws):
    answer = control.reset(
        "large", accounts=2, regions=3, clusters=4, services=3, instances=2, roles=17
    )
    assert answer["scenario"] == "large"
    member = "100000000001"
    assert aws.client("iam", account=member).list_account_aliases()["AccountAliases"] == [
        "large-001"
    ]
    names = [r["RoleName"] for r in slrs(aws, member)]
    assert len(names) == 17
    assert "AWSServiceRoleForAutoScaling_fleet16" in names
    for region in ("us-east-1", "us-east-2", "us-west-1"):
        ecs = aws.client("ecs", region=region, account=member)
        arns = ecs.list_clusters()["clusterArns"]
        assert len(arns) == 4
        described = ecs.describe_clusters(clusters=arns)["clusters"]
        assert all(c["activeServicesCount"] == 3 for c in described)
        assert all(c["registeredContainerInstancesCount"] == 2 for c in described)
    assert (
        aws.client("ecs", region="ca-central-1", account=member).list_clusters()["clusterArns"]
        == []
    )
    with pytest.raises(EmulatorError, match="HTTP 400"):
        control.reset("large", regions=18)


def test_reset_restores_knobs(aws, control):
    control.add_faults({"operation": "iam:GetRole", "error": "Throttling"})
    control.set_latency(20, regions={"eu-west-1": 30})
    control.set_deletion(mode="seconds", seconds=9, partial_usage=True)
    aws.client("iam").list_roles()
    control.reset("demo")
    assert control.faults() == []
    assert control.calls()["total"] == 0
    assert control.set_latency(0) == {"ms": 0, "regions": {}}
    deletion = control.set_deletion()
    assert deletion == {
        "mode": "polls",
        "seconds": 3.0,
        "polls": 2,
        "partial_usage": False,
        "forget_task_on_success": False,
    }


def raw(url: str, method: str, body: bytes | None = None) -> tuple[int, dict]:
    # Control POSTs must be JSON (tests/emulator/test_origin_guard.py).
    headers = {"Content-Type": "application/json"}
    request = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_control_errors(emulator, control):
    status, body = raw(f"{emulator.url}/_emulator/nowhere", "GET")
    assert status == 404 and "error" in body
    status, body = raw(f"{emulator.url}/_emulator/faults", "POST", b"{not json")
    assert status == 400 and "not valid JSON" in body["error"]
    status, body = raw(f"{emulator.url}/_emulator/reset", "POST", b'{"scenario": "mars"}')
    assert status == 400 and "unknown scenario" in body["error"]
    status, body = raw(f"{emulator.url}/_emulator/deletion", "POST", b'{"mode": "weeks"}')
    assert status == 400
    status, body = raw(
        f"{emulator.url}/_emulator/role-last-used",
        "POST",
        b'{"account": "111111111111", "role_name": "Nope", "date": null}',
    )
    assert status == 404
    status, body = raw(f"{emulator.url}/_emulator/health", "DELETE")
    assert status == 405

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
    # emulator/scenarios/demo.py: 33 service-linked roles across 16 services.
    assert {account: len(r) for account, r in roles.items()} == {HUB: 9, PROD: 14, STAGING: 10}
    principals = {r["Path"].split("/")[2] for rs in roles.values() for r in rs}
    assert len(principals) == 16
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


def deletion(aws, control, account: str, role_name: str) -> tuple[str, list[dict]]:
    """What the deletion check answers for a demo role: (status, RoleUsageList)."""
    control.set_deletion(mode="polls", polls=1)
    iam = aws.client("iam", account=account)
    task = iam.delete_service_linked_role(RoleName=role_name)["DeletionTaskId"]
    for _ in range(5):
        answer = iam.get_service_linked_role_deletion_status(DeletionTaskId=task)
        if answer["Status"] in ("SUCCEEDED", "FAILED"):
            return answer["Status"], answer.get("Reason", {}).get("RoleUsageList", [])
    raise AssertionError(f"deletion of {role_name} never finished")


def detector_arns(aws, account: str, region: str) -> list[str]:
    ids = aws.client("guardduty", region=region, account=account).list_detectors()["DetectorIds"]
    return [f"arn:aws:guardduty:{region}:{account}:detector/{i}" for i in ids]


def test_demo_prod_resources_block_their_roles(aws, control):
    east, west, apac = "us-east-1", "eu-west-1", "ap-southeast-2"
    (alb,) = aws.client("elbv2", region=east, account=PROD).describe_load_balancers()[
        "LoadBalancers"
    ]
    assert (alb["LoadBalancerName"], alb["Type"]) == ("storefront-alb", "application")
    groups = {
        g["AutoScalingGroupName"]: g
        for region in (east, west)
        for g in aws.client(
            "autoscaling", region=region, account=PROD
        ).describe_auto_scaling_groups()["AutoScalingGroups"]
    }
    assert {name: g["DesiredCapacity"] for name, g in groups.items()} == {
        "web-asg": 0,
        "batch-fleet": 0,
    }
    assert groups["batch-fleet"]["ServiceLinkedRoleARN"] == (
        f"arn:aws:iam::{PROD}:role/aws-service-role/autoscaling.amazonaws.com/"
        "AWSServiceRoleForAutoScaling_batch"
    )
    recorders = aws.client("config", region=west, account=PROD).describe_configuration_recorders()
    assert [(r["name"], r["roleARN"]) for r in recorders["ConfigurationRecorders"]] == [
        (
            "default",
            f"arn:aws:iam::{PROD}:role/aws-service-role/config.amazonaws.com/"
            "AWSServiceRoleForConfig",
        )
    ]

    classic = f"arn:aws:elasticloadbalancing:{west}:{PROD}:loadbalancer/legacy-web"
    expected = {
        "AWSServiceRoleForElasticLoadBalancing": [
            {"Region": west, "Resources": [classic]},
            {"Region": east, "Resources": [alb["LoadBalancerArn"]]},
        ],
        "AWSServiceRoleForAutoScaling": [
            {"Region": east, "Resources": [groups["web-asg"]["AutoScalingGroupARN"]]}
        ],
        "AWSServiceRoleForAutoScaling_batch": [
            {"Region": west, "Resources": [groups["batch-fleet"]["AutoScalingGroupARN"]]}
        ],
        "AWSServiceRoleForRDS": [
            {"Region": west, "Resources": [f"arn:aws:rds:{west}:{PROD}:db:orders-db"]},
            {"Region": east, "Resources": [f"arn:aws:rds:{east}:{PROD}:cluster:ledger-aurora"]},
        ],
        "AWSServiceRoleForElastiCache": [
            {
                "Region": east,
                "Resources": [
                    f"arn:aws:elasticache:{east}:{PROD}:cluster:sessions-prod",
                    f"arn:aws:elasticache:{east}:{PROD}:serverlesscache:carts-serverless",
                ],
            }
        ],
        "AWSServiceRoleForAmazonEKS": [
            {"Region": apac, "Resources": [f"arn:aws:eks:{apac}:{PROD}:cluster/platform-prod"]}
        ],
        "AWSServiceRoleForAmazonGuardDuty": [
            {"Region": west, "Resources": detector_arns(aws, PROD, west)},
            {"Region": east, "Resources": detector_arns(aws, PROD, east)},
        ],
        "AWSServiceRoleForConfig": [
            {
                "Region": west,
                "Resources": [f"arn:aws:config:{west}:{PROD}:configuration-recorder/default"],
            }
        ],
        "AWSServiceRoleForSecurityHub": [
            {"Region": east, "Resources": [f"arn:aws:securityhub:{east}:{PROD}:hub/default"]}
        ],
    }
    assert all(len(u["Resources"]) == 1 for u in expected["AWSServiceRoleForAmazonGuardDuty"])
    found = {role: deletion(aws, control, PROD, role) for role in expected}
    assert found == {role: ("FAILED", usage) for role, usage in expected.items()}


def test_demo_staging_roles_of_those_services_are_free(aws, control):
    # Staging's recorder records as a plain IAM role, not as the service-linked role.
    recorders = aws.client("config", account=STAGING).describe_configuration_recorders()
    assert [(r["name"], r["roleARN"]) for r in recorders["ConfigurationRecorders"]] == [
        ("default", f"arn:aws:iam::{STAGING}:role/config-recorder")
    ]
    assert (
        aws.client("iam", account=STAGING).get_role(RoleName="config-recorder")["Role"]["Path"]
        == "/"
    )
    roles = [
        "AWSServiceRoleForElasticLoadBalancing",
        "AWSServiceRoleForAutoScaling",
        "AWSServiceRoleForRDS",
        "AWSServiceRoleForElastiCache",
        "AWSServiceRoleForAmazonEKS",
        "AWSServiceRoleForAmazonGuardDuty",
        "AWSServiceRoleForSecurityHub",
        "AWSServiceRoleForConfig",
    ]
    found = {role: deletion(aws, control, STAGING, role) for role in roles}
    assert found == {role: ("SUCCEEDED", []) for role in roles}


def test_demo_hub_resources_block_its_security_roles(aws, control):
    east, west = "us-east-1", "eu-west-1"
    expected = {
        "AWSServiceRoleForAmazonGuardDuty": [
            {"Region": east, "Resources": detector_arns(aws, HUB, east)}
        ],
        "AWSServiceRoleForConfig": [
            {
                "Region": east,
                "Resources": [f"arn:aws:config:{east}:{HUB}:configuration-recorder/default"],
            }
        ],
        "AWSServiceRoleForSecurityHub": [
            {"Region": west, "Resources": [f"arn:aws:securityhub:{west}:{HUB}:hub/default"]},
            {"Region": east, "Resources": [f"arn:aws:securityhub:{east}:{HUB}:hub/default"]},
        ],
        "AWSServiceRoleForAccessAnalyzer": [
            {
                "Region": west,
                "Resources": [f"arn:aws:access-analyzer:{west}:{HUB}:analyzer/account-analyzer"],
            }
        ],
        # What IAM Identity Center keeps in the account: a provisioned permission set's
        # role and its SAML provider (IAM is global).
        "AWSServiceRoleForSSO": [
            {
                "Region": "global",
                "Resources": [
                    f"arn:aws:iam::{HUB}:role/aws-reserved/sso.amazonaws.com/"
                    "AWSReservedSSO_AdministratorAccess_5f1d0c2b9a7e4e31",
                    f"arn:aws:iam::{HUB}:saml-provider/AWSSSO_a1b2c3d4e5f60718_DO_NOT_DELETE",
                ],
            }
        ],
    }
    found = {role: deletion(aws, control, HUB, role) for role in expected}
    assert found == {role: ("FAILED", usage) for role, usage in expected.items()}
    analyzers = aws.client("accessanalyzer", region=west).list_analyzers()["analyzers"]
    assert [(a["name"], a["type"]) for a in analyzers] == [("account-analyzer", "ACCOUNT")]


def test_demo_resources_are_only_in_the_synced_regions(aws):
    # The tests sync us-east-1, eu-west-1 and ap-southeast-2; nothing is elsewhere.
    for account in (HUB, PROD, STAGING):
        region = "us-west-2"
        assert (
            aws.client("guardduty", region=region, account=account).list_detectors()["DetectorIds"]
            == []
        )
        assert aws.client("eks", region=region, account=account).list_clusters()["clusters"] == []
        assert (
            aws.client("rds", region=region, account=account).describe_db_instances()["DBInstances"]
            == []
        )


def test_demo_is_deterministic(aws, control):
    def state() -> tuple:
        elbv2 = aws.client("elbv2", account=PROD)
        autoscaling = aws.client("autoscaling", region="eu-west-1", account=PROD)
        return (
            [(r["RoleName"], r["RoleId"]) for r in slrs(aws, PROD)],
            [
                (lb["LoadBalancerArn"], sorted(z["SubnetId"] for z in lb["AvailabilityZones"]))
                for lb in elbv2.describe_load_balancers()["LoadBalancers"]
            ],
            [
                g["AutoScalingGroupARN"]
                for g in autoscaling.describe_auto_scaling_groups()["AutoScalingGroups"]
            ],
            aws.client("guardduty", account=HUB).list_detectors()["DetectorIds"],
        )

    first = state()
    control.reset("demo")
    aws.forget()
    assert state() == first
    # Also after a scenario that built EC2 elsewhere (the resets rebuild it differently).
    control.reset("large", accounts=1, regions=2, clusters=0, services=0, instances=0, roles=16)
    control.reset("demo")
    aws.forget()
    assert state() == first


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


def test_large_scenario_resources_on_some_accounts(emulator, control, aws):
    # emulator/scenarios/large.py: the hub has everything, every second account the
    # resources that need no EC2, the others none.
    control.reset("large", accounts=3, regions=2, clusters=0, services=0, instances=0, roles=16)
    one, two = "100000000001", "100000000002"

    def seen(account: str) -> dict:
        east = {"region": "us-east-1", "account": account}
        analyzers = aws.client("accessanalyzer", **east).list_analyzers()["analyzers"]
        detectors = [
            aws.client("guardduty", region=r, account=account).list_detectors()["DetectorIds"]
            for r in ("us-east-1", "us-east-2")
        ]
        return {
            "load balancers": [
                lb["LoadBalancerName"]
                for lb in aws.client("elbv2", **east).describe_load_balancers()["LoadBalancers"]
            ],
            "groups": [
                g["AutoScalingGroupName"]
                for g in aws.client("autoscaling", **east).describe_auto_scaling_groups()[
                    "AutoScalingGroups"
                ]
            ],
            "eks": aws.client("eks", **east).list_clusters()["clusters"],
            "analyzers": [a["name"] for a in analyzers],
            "detectors": [len(ids) for ids in detectors],
        }

    everything = {
        "load balancers": ["web-alb"],
        "groups": ["web-asg"],
        "eks": ["platform"],
        "analyzers": ["account-analyzer"],
        "detectors": [1, 1],
    }
    assert seen(HUB) == everything
    assert seen(one) == {k: [] for k in everything} | {"detectors": [0, 0]}
    assert seen(two) == everything | {"load balancers": [], "groups": []}


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

"""Injected faults (wire format, count, rate, filters), latency and the call counter."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from botocore.exceptions import ClientError

PROD = "111111111111"


def failure(call) -> dict:
    with pytest.raises(ClientError) as excinfo:
        call()
    return excinfo.value.response


def test_throttling_next_n_calls(aws, control):
    iam = aws.client("iam", account=PROD)
    control.add_faults(
        {"operation": "iam:DeleteServiceLinkedRole", "error": "Throttling", "count": 2}
    )
    assert control.faults()[0]["count"] == 2
    for _ in range(2):
        response = failure(
            lambda: iam.delete_service_linked_role(RoleName="AWSServiceRoleForEC2Spot")
        )
        assert response["Error"]["Code"] == "Throttling"
        assert response["Error"]["Type"] == "Sender"
        assert response["Error"]["Message"] == "Rate exceeded"
        assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
        assert response["ResponseMetadata"]["RequestId"]
    assert control.faults() == []
    assert iam.delete_service_linked_role(RoleName="AWSServiceRoleForEC2Spot")["DeletionTaskId"]


def test_access_denied_for_one_region_in_ecs_json(aws, control):
    control.add_faults(
        {"operation": "ecs:ListClusters", "error": "AccessDenied", "region": "eu-west-1"}
    )
    eu = aws.client("ecs", region="eu-west-1", account=PROD)
    response = failure(eu.list_clusters)
    assert response["Error"]["Code"] == "AccessDeniedException"
    assert response["Error"]["Message"].startswith(
        "User: arn:aws:sts::111111111111:assumed-role/RolecallAudit/rolecall is not authorized "
        "to perform: ecs:ListClusters"
    )
    assert response["ResponseMetadata"]["RequestId"]
    assert failure(eu.list_clusters)["Error"]["Code"] == "AccessDeniedException"  # every call
    assert aws.client("ecs", region="us-east-1", account=PROD).list_clusters()["clusterArns"]


def test_iam_access_denied_and_service_failure_status(aws, control):
    iam = aws.client("iam", account=PROD)
    control.add_faults(
        {"operation": "iam:GetRole", "error": "AccessDenied", "count": 1},
        {"operation": "iam:ListRoles", "error": "ServiceFailure", "count": 1},
    )
    denied = failure(lambda: iam.get_role(RoleName="AWSServiceRoleForECS"))
    assert denied["Error"]["Code"] == "AccessDenied"
    assert denied["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert "arn:aws:iam::111111111111:role/AWSServiceRoleForECS" in denied["Error"]["Message"]
    failed = failure(iam.list_roles)
    assert failed["Error"]["Code"] == "ServiceFailure"
    assert failed["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert iam.get_role(RoleName="AWSServiceRoleForECS") and iam.list_roles()


def test_any_code_and_account_filter(aws, control):
    control.add_faults(
        {
            "operation": "iam:GetRole",
            "error": "NoSuchEntity",
            "account": "222222222222",
            "message": "gone",
        }
    )
    assert aws.client("iam", account=PROD).get_role(RoleName="AWSServiceRoleForECS")
    response = failure(
        lambda: aws.client("iam", account="222222222222").get_role(RoleName="AWSServiceRoleForECS")
    )
    assert response["Error"] == {"Type": "Sender", "Code": "NoSuchEntity", "Message": "gone"}
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_ec2_and_sts_fault_formats(aws, control):
    control.add_faults(
        {"operation": "ec2:DescribeRegions", "error": "Throttling"},
        {"operation": "sts:GetCallerIdentity", "error": "Throttling"},
    )
    ec2 = failure(aws.client("ec2").describe_regions)
    assert ec2["Error"]["Code"] == "RequestLimitExceeded"
    assert ec2["ResponseMetadata"]["RequestId"]
    sts = failure(aws.client("sts").get_caller_identity)
    assert sts["Error"]["Code"] == "Throttling"
    assert sts["ResponseMetadata"]["RequestId"]
    control.clear_faults()
    assert control.faults() == []
    assert aws.client("sts").get_caller_identity()


def test_rate_fails_a_fraction(aws, control):
    iam = aws.client("iam")
    control.add_faults({"operation": "iam:GetRole", "error": "Throttling", "rate": 0.5})
    failures = 0
    for _ in range(60):
        try:
            iam.get_role(RoleName="AWSServiceRoleForSSO")
        except ClientError:
            failures += 1
    assert 10 <= failures <= 50
    assert control.faults()[0]["hits"] == failures


def test_bad_fault_specs_are_refused(control):
    from emulator.testing import EmulatorError

    for spec in (
        {"error": "Throttling"},
        {"operation": "GetRole", "error": "Throttling"},
        {"operation": "iam:GetRole", "error": "Throttling", "count": 0},
        {"operation": "iam:GetRole", "error": "Throttling", "rate": 2},
        {"operation": "iam:GetRole", "error": "Throttling", "colour": "red"},
    ):
        with pytest.raises(EmulatorError, match="HTTP 400"):
            control.add_faults(spec)


def test_latency_base_and_per_region_overlaps(aws, control):
    # The bounds are far apart so that a loaded host cannot blur them: the
    # base delay (150 ms) and the region's (1.5 s) differ tenfold.
    fast = aws.client("ecs", region="us-east-1", account=PROD)
    slow = aws.client("ecs", region="eu-west-1", account=PROD)
    fast.list_clusters()  # connections opened before any delay is set
    slow.list_clusters()
    control.set_latency(150, regions={"eu-west-1": 1500})
    started = time.monotonic()
    fast.list_clusters()
    assert 0.15 <= time.monotonic() - started < 1.2
    started = time.monotonic()
    slow.list_clusters()
    assert time.monotonic() - started >= 1.5
    # Calls sleep outside the lock: eight concurrent calls overlap (in
    # series they would take 12 s).
    started = time.monotonic()
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda _: slow.list_clusters(), range(8)))
    assert time.monotonic() - started < 4.5
    control.set_latency(0, regions={})
    started = time.monotonic()
    slow.list_clusters()
    assert time.monotonic() - started < 1.0


def test_call_counter(aws, control):
    iam = aws.client("iam", account=PROD)  # AssumeRole happens here, from the hub
    ecs = aws.client("ecs", region="eu-west-1", account=PROD)
    control.reset_calls()
    control.add_faults({"operation": "ecs:ListClusters", "error": "Throttling", "count": 1})
    with pytest.raises(ClientError):
        ecs.list_clusters()
    ecs.list_clusters()
    iam.get_role(RoleName="AWSServiceRoleForECS")
    control.health()
    calls = control.calls()
    assert calls["total"] == 3
    assert calls["operations"] == {"ecs:ListClusters": 2, "iam:GetRole": 1}
    assert calls["by_account"] == {PROD: {"ecs:ListClusters": 2, "iam:GetRole": 1}}
    assert calls["by_region"]["eu-west-1"] == {"ecs:ListClusters": 2}
    control.reset_calls()
    assert control.calls() == {"total": 0, "operations": {}, "by_account": {}, "by_region": {}}

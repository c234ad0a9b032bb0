"""Calls the emulator names from the REST path (EKS, GuardDuty, Security Hub, Access
Analyzer) and ElastiCache's DescribeServerlessCaches, which moto lacks."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

PROD = "111111111111"
EAST = "us-east-1"
APAC = "ap-southeast-2"


def test_rest_calls_are_counted_by_operation(aws, control):
    eks = aws.client("eks", region=APAC, account=PROD)
    guardduty = aws.client("guardduty", region=EAST, account=PROD)
    analyzer = aws.client("accessanalyzer", region=EAST, account=PROD)
    hub = aws.client("securityhub", region=EAST, account=PROD)
    control.reset_calls()

    assert eks.list_clusters()["clusters"] == ["platform-prod"]
    eks.describe_cluster(name="platform-prod")
    (detector,) = guardduty.list_detectors()["DetectorIds"]
    guardduty.get_detector(DetectorId=detector)
    analyzer.list_analyzers()
    hub.describe_hub()
    arn = f"arn:aws:eks:{APAC}:{PROD}:cluster/platform-prod"
    eks.list_tags_for_resource(resourceArn=arn)  # an ARN, percent-encoded, in the path

    calls = control.calls()
    assert calls["operations"] == {
        "access-analyzer:ListAnalyzers": 1,
        "eks:DescribeCluster": 1,
        "eks:ListClusters": 1,
        "eks:ListTagsForResource": 1,
        "guardduty:GetDetector": 1,
        "guardduty:ListDetectors": 1,
        "securityhub:DescribeHub": 1,
    }
    assert calls["by_region"][APAC] == {
        "eks:DescribeCluster": 1,
        "eks:ListClusters": 1,
        "eks:ListTagsForResource": 1,
    }


@pytest.mark.parametrize(
    ("service", "operation", "call", "code", "status"),
    [
        ("eks", "eks:ListClusters", lambda c: c.list_clusters(), "ServerException", 500),
        (
            "guardduty",
            "guardduty:ListDetectors",
            lambda c: c.list_detectors(),
            "BadRequestException",
            400,
        ),
        (
            "accessanalyzer",
            "access-analyzer:ListAnalyzers",
            lambda c: c.list_analyzers(),
            "AccessDeniedException",
            403,
        ),
        (
            "securityhub",
            "securityhub:DescribeHub",
            lambda c: c.describe_hub(),
            "InvalidAccessException",
            401,
        ),
    ],
)
def test_faults_name_rest_operations(aws, control, service, operation, call, code, status):
    # REST-JSON errors: code in x-amzn-ErrorType, status from the service's model.
    client = aws.client(service, region=EAST, account=PROD)
    control.add_faults({"operation": operation, "error": code, "count": 1})
    with pytest.raises(ClientError) as excinfo:
        call(client)
    response = excinfo.value.response
    assert (response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]) == (
        code,
        status,
    )
    call(client)  # the fault is used up; the next call goes through


def test_serverless_caches_are_served(aws, control):
    elasticache = aws.client("elasticache", region=EAST, account=PROD)
    control.reset_calls()
    # Prod has a cache cluster and a serverless cache in us-east-1 (demo scenario).
    answer = elasticache.describe_serverless_caches(MaxResults=100)
    assert [
        (c["ServerlessCacheName"], c["ARN"], c["Status"]) for c in answer["ServerlessCaches"]
    ] == [
        (
            "carts-serverless",
            f"arn:aws:elasticache:{EAST}:{PROD}:serverlesscache:carts-serverless",
            "available",
        )
    ]
    assert "NextToken" not in answer
    clusters = elasticache.describe_cache_clusters()["CacheClusters"]
    assert [c["CacheClusterId"] for c in clusters] == ["sessions-prod"]
    assert control.calls()["operations"] == {
        "elasticache:DescribeCacheClusters": 1,
        "elasticache:DescribeServerlessCaches": 1,
    }

"""read_ecs: an account's ECS clusters per region, at the depth each caller needs."""

import pytest

from roles.aws.account import AccountAws
from roles.aws.errors import AwsError
from roles.aws.inventory import CLUSTERS, FULL, EcsReader, RegionInventory, read_ecs
from tests.support.aws import client as aws_client
from tests.support.aws import only, record_answers

# The SQLite pass of .ci/run runs this module too (docs/testing.md).
pytestmark = pytest.mark.engine

PROD, STAGING = "111111111111", "222222222222"


@pytest.fixture
def prod(emulator, demo_accounts) -> AccountAws:
    return AccountAws.for_account(demo_accounts["acme-prod"])


def operations(emulator) -> dict[str, int]:
    return emulator.control.calls()["operations"]


def by_name(region: RegionInventory) -> dict:
    return {c.name: c for c in region.clusters}


def test_clusters_depth_lists_and_describes_the_clusters_only(emulator, prod):
    emulator.control.reset_calls()
    (us,) = read_ecs(prod, ["us-east-1"], depth=CLUSTERS, region_threads=2)
    assert (us.region, us.error, us.failure) == ("us-east-1", {}, None)
    clusters = by_name(us)
    assert sorted(clusters) == ["payments-prod", "web-prod"]
    payments = clusters["payments-prod"]
    assert payments.arn == f"arn:aws:ecs:us-east-1:{PROD}:cluster/payments-prod"
    assert (payments.status, payments.registered_instances, payments.active_services) == (
        "ACTIVE",
        3,
        3,
    )
    assert payments.tags == {"team": "payments", "env": "prod"}
    assert [(c.services, c.instances) for c in clusters.values()] == [([], []), ([], [])]
    assert operations(emulator) == {"ecs:ListClusters": 1, "ecs:DescribeClusters": 1}


def test_full_depth_adds_the_services_and_container_instances(emulator, prod):
    emulator.control.reset_calls()
    (us,) = read_ecs(prod, ["us-east-1"], depth=FULL, region_threads=2)
    clusters = by_name(us)
    payments, web = clusters["payments-prod"], clusters["web-prod"]
    assert sorted((s.name, s.desired, s.status) for s in payments.services) == [
        ("checkout-api", 6, "ACTIVE"),
        ("ledger-sync", 0, "ACTIVE"),
        ("payments-worker", 4, "ACTIVE"),
    ]
    assert [i.status for i in payments.instances] == ["ACTIVE", "ACTIVE", "ACTIVE"]
    assert sorted(s.name for s in web.services) == ["search-api", "storefront"]
    assert web.instances == []
    assert operations(emulator) == {
        "ecs:ListClusters": 1,
        "ecs:DescribeClusters": 1,
        "ecs:ListServices": 2,
        "ecs:DescribeServices": 2,
        "ecs:ListContainerInstances": 2,
        # web-prod has no container instance to describe.
        "ecs:DescribeContainerInstances": 1,
    }


def test_the_contents_of_an_inactive_cluster_are_not_walked(emulator, demo_accounts):
    # A cluster deleted between ListClusters and DescribeClusters is described as
    # INACTIVE; it blocks nothing, so its services and instances are not listed.
    staging_ecs = aws_client("ecs", STAGING, "us-east-1")
    kept = staging_ecs.create_cluster(clusterName="kept")["cluster"]["clusterArn"]
    doomed = staging_ecs.create_cluster(clusterName="doomed")["cluster"]["clusterArn"]
    aws = AccountAws.for_account(demo_accounts["acme-staging"])

    def delete_after_listing(**kwargs):
        staging_ecs.delete_cluster(cluster=doomed)

    aws.ecs("us-east-1").meta.events.register("after-call.ecs.ListClusters", delete_after_listing)
    emulator.control.reset_calls()
    (us,) = read_ecs(aws, ["us-east-1"], depth=FULL, region_threads=1)
    assert sorted((c.arn, c.status) for c in us.clusters) == sorted(
        [(kept, "ACTIVE"), (doomed, "INACTIVE")]
    )
    assert by_name(us)["doomed"].services == [] and by_name(us)["doomed"].instances == []
    assert operations(emulator) == {
        "ecs:ListClusters": 1,
        "ecs:DeleteCluster": 1,
        "ecs:DescribeClusters": 1,
        "ecs:ListServices": 1,
        "ecs:ListContainerInstances": 1,
    }


def test_a_failing_region_returns_its_error_and_the_others_are_read(emulator, prod, monkeypatch):
    answers = record_answers(monkeypatch)
    emulator.control.add_faults(
        {
            "operation": "ecs:ListClusters",
            "region": "eu-west-1",
            "error": "AccessDenied",
            "message": "No ECS for you here",
        }
    )
    found = read_ecs(
        prod, ["ap-southeast-2", "eu-west-1", "us-east-1"], depth=CLUSTERS, region_threads=3
    )
    assert [r.region for r in found] == ["ap-southeast-2", "eu-west-1", "us-east-1"]
    apac, eu, us = found
    refused = only(answers, "ListClusters", "eu-west-1")
    assert refused.status == 400 and refused.request_id != ""
    assert eu.clusters is None
    assert eu.error == {
        "code": "AccessDeniedException",
        "message": "No ECS for you here",
        "request_id": refused.request_id,
        "operation": "ListClusters",
    }
    assert eu.failure.as_dict() == eu.error
    assert (apac.error, us.error) == ({}, {})
    assert sorted(by_name(apac)) == ["web-prod-apac"]
    assert sorted(by_name(us)) == ["payments-prod", "web-prod"]


def test_raise_failure_raises_the_first_failed_region_in_start_order(emulator, prod):
    # eu-west-1 fails at once; ap-southeast-2, started before it, fails later and
    # is still the one raised.
    emulator.control.set_latency(0, regions={"ap-southeast-2": 300})
    emulator.control.add_faults(
        {"operation": "ecs:ListClusters", "region": "eu-west-1", "error": "AccessDenied"},
        {
            "operation": "ecs:DescribeClusters",
            "region": "ap-southeast-2",
            "error": "ClientException",
            "message": "apac refused",
        },
    )
    with pytest.raises(AwsError) as raised:
        read_ecs(
            prod,
            ["us-east-1", "ap-southeast-2", "eu-west-1"],
            depth=CLUSTERS,
            region_threads=3,
            raise_failure=True,
        )
    assert (raised.value.code, raised.value.message, raised.value.operation) == (
        "ClientException",
        "apac refused",
        "DescribeClusters",
    )


def test_raise_failure_returns_every_region_when_none_fails(emulator, prod):
    found = read_ecs(
        prod, ["eu-west-1", "us-east-1"], depth=CLUSTERS, region_threads=2, raise_failure=True
    )
    assert [sorted(by_name(r)) for r in found] == [
        ["batch-eu", "payments-prod-eu"],
        ["payments-prod", "web-prod"],
    ]


def test_a_cluster_pool_reads_the_same_as_one_cluster_after_the_other(emulator, prod):
    regions = ["us-east-1", "eu-west-1"]
    inline = read_ecs(prod, regions, depth=FULL, region_threads=2)
    with EcsReader(prod, depth=FULL, region_threads=2, cluster_threads=4) as reader:
        reader.start(regions)
        pooled = reader.results()
    assert pooled == inline
    assert sum(len(c.services) for r in pooled for c in r.clusters) == 8


def test_an_unknown_depth_is_refused(prod):
    with pytest.raises(ValueError, match="unknown ECS inventory depth 'services'"):
        EcsReader(prod, depth="services", region_threads=1)

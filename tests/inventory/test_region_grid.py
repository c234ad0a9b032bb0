"""Blockers by region on a role's page and on its cleanup plan (roles/inventory/charts/regions.py):
a tile per region with its count, and the same numbers as a table."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from roles.models import (
    Account,
    CleanupPlan,
    CleanupRegion,
    ServiceLinkedRole,
    ServiceRegion,
    ServiceResource,
)
from tests.inventory.test_large_pages import page_queries

ELB = "elasticloadbalancing.amazonaws.com"


@pytest.fixture
def elb(db):
    """A load balancer role read in three regions: two load balancers in us-east-1,
    nothing in us-west-2, and eu-west-1's last read failed (one found before)."""
    account = Account.objects.create(
        aws_account_id="111111111111",
        name="prod",
        regions=["us-east-1", "us-west-2", "eu-west-1"],
    )
    role = ServiceLinkedRole.objects.create(
        account=account,
        account_name="prod",
        arn=f"arn:aws:iam::111111111111:role/aws-service-role/{ELB}/AWSServiceRoleForELB",
        name="AWSServiceRoleForElasticLoadBalancing",
        path=f"/aws-service-role/{ELB}/",
        service_principal=ELB,
    )
    now = timezone.now()
    for region, stale, found in (
        ("us-east-1", False, 2),
        ("us-west-2", False, 0),
        ("eu-west-1", True, 1),
    ):
        read = ServiceRegion.objects.create(
            account=account,
            principal=ELB,
            region=region,
            synced_at=now,
            stale=stale,
            error={"code": "AccessDenied", "message": "no"} if stale else {},
        )
        for n in range(found):
            ServiceResource.objects.create(
                region=read,
                kind="Application Load Balancer",
                arn=f"arn:aws:elasticloadbalancing:{region}:111111111111:loadbalancer/app/lb{n}/1",
                name=f"lb{n}",
            )
    return role


def tiles(html: str, chart: str) -> list[tuple[str, str]]:
    """(key, title) of each tile of the chart."""
    svg = html.split(f'data-testid="{chart}"')[1].split(f'data-testid="{chart}-table"')[0]
    found = re.findall(r'data-testid="region-tile" data-key="(\w+)"><title>([^<]*)</title>', svg)
    return [(key, unescape(title)) for key, title in found]


def rows(html: str, chart: str) -> list[list[str]]:
    body = html.split(f'data-testid="{chart}-table"')[1].split("</tbody>")[0]
    return [
        [unescape(c) for c in re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", body.split("<tbody>")[1])
    ]


def test_it_draws_a_tile_per_region_of_a_role_with_its_count(viewer_client, elb):
    html = viewer_client.get(reverse("role-detail", args=[elb.pk])).content.decode()
    assert tiles(html, "role-regions") == [
        ("blocked", "eu-west-1: 1 resource, could not be read"),
        ("blocked", "us-east-1: 2 resources"),
        ("clear", "us-west-2: 0 resources"),
    ]
    assert rows(html, "role-regions") == [
        ["eu-west-1", "1", "1 resource, could not be read"],
        ["us-east-1", "2", "2 resources"],
        ["us-west-2", "0", "0 resources"],
    ]
    assert 'role="img" aria-labelledby="role-regions-title role-regions-desc"' in html
    desc = re.search(r'<desc id="role-regions-desc">([^<]*)</desc>', html).group(1)
    assert desc == "3 resources in 2 regions of 3; 1 region could not be read."


def test_a_region_never_read_is_a_dotted_tile(viewer_client, elb):
    Account.objects.filter(pk=elb.account_id).update(
        regions=["us-east-1", "us-west-2", "eu-west-1", "ap-south-1"]
    )
    html = viewer_client.get(reverse("role-detail", args=[elb.pk])).content.decode()
    assert ("unknown", "ap-south-1: could not be read") in tiles(html, "role-regions")


def test_a_hostile_region_name_is_escaped(viewer_client, elb):
    ServiceRegion.objects.filter(region="us-west-2").update(region="<script>r</script>")
    html = viewer_client.get(reverse("role-detail", args=[elb.pk])).content.decode()
    assert "<script>r" not in html
    assert "&lt;script&gt;r&lt;/script&gt;" in html


def test_the_role_page_makes_the_same_queries_for_three_regions_or_thirty(viewer_client, elb):
    url = reverse("role-detail", args=[elb.pk])
    viewer_client.get(url)
    before, _ = page_queries(viewer_client, url)
    regions = [f"xx-test-{n}" for n in range(27)]
    Account.objects.filter(pk=elb.account_id).update(regions=[*elb.account.regions, *regions])
    for region in regions:
        read = ServiceRegion.objects.create(
            account=elb.account, principal=ELB, region=region, synced_at=timezone.now()
        )
        ServiceResource.objects.create(
            region=read, kind="Classic Load Balancer", arn=f"arn:{region}"
        )
    after, html = page_queries(viewer_client, url)
    assert after == before
    assert len(tiles(html, "role-regions")) == 30


def test_a_service_rolecall_does_not_read_has_no_grid(viewer_client, elb):
    ServiceLinkedRole.objects.filter(pk=elb.pk).update(service_principal="spot.amazonaws.com")
    html = viewer_client.get(reverse("role-detail", args=[elb.pk])).content.decode()
    assert 'data-testid="role-regions"' not in html


def test_a_cleanup_plan_shows_its_clusters_per_region(viewer_client, elb, operator):
    plan = CleanupPlan.objects.create(
        role=elb,
        account=elb.account,
        role_arn=elb.arn,
        role_name=elb.name,
        requested_by=operator,
        requested_by_name="alice",
    )
    for region, state, clusters, steps in (
        ("us-east-1", "pending", 3, 12),
        ("eu-west-1", "unread", 0, 0),
        ("us-west-2", "pending", 0, 0),
    ):
        CleanupRegion.objects.create(
            plan=plan,
            region=region,
            state=state,
            cluster_total=clusters,
            step_total=steps,
            step_actions={"DeleteCluster": clusters} if clusters else {},
        )
    html = viewer_client.get(reverse("cleanup-detail", args=[plan.pk])).content.decode()
    assert tiles(html, "plan-regions") == [
        ("unknown", "eu-west-1: could not be read, 0 steps"),
        ("blocked", "us-east-1: 3 clusters, 12 steps"),
        ("clear", "us-west-2: 0 clusters, 0 steps"),
    ]
    assert rows(html, "plan-regions") == [
        ["eu-west-1", "0", "could not be read"],
        ["us-east-1", "3", "3 clusters"],
        ["us-west-2", "0", "0 clusters"],
    ]
    desc = re.search(r'<desc id="plan-regions-desc">([^<]*)</desc>', html).group(1)
    assert desc == "3 clusters in 1 region of 3; 1 region could not be read."

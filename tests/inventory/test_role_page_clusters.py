"""The ECS role's page at any number of clusters: per region, the blocking clusters'
totals and the first few; every cluster of a region on its own page, 25 at a time."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from roles.inventory.views import resources
from roles.models import EcsCluster, EcsRegion, ServiceLinkedRole, SyncRun
from tests.cleanup.test_cleanup import ecs_role
from tests.support import aws
from tests.support.sync import REGIONS, sync_now

PROD = "111111111111"
REGION = "us-east-1"  # two clusters in the demo: payments-prod and web-prod
RLO = "\u202e"  # right-to-left override


@pytest.fixture
def prod(sync_demo):
    return sync_demo("acme-prod", regions=REGIONS)["acme-prod"]


def add_clusters(account, region: str, names: list[str]) -> None:
    """Clusters created in the emulator as AWS would hold them, then a sync."""
    client = aws.client("ecs", account.aws_account_id, region)
    for name in names:
        client.create_cluster(clusterName=name)
    assert sync_now(account).status == SyncRun.Status.SUCCEEDED


def page_queries(client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def aws_clusters(region: str) -> list[dict]:
    """What DescribeClusters says of every cluster listed in the region."""
    client = aws.client("ecs", PROD, region)
    arns = [a for p in client.get_paginator("list_clusters").paginate() for a in p["clusterArns"]]
    described = []
    for start in range(0, len(arns), 100):
        chunk = arns[start : start + 100]
        described += client.describe_clusters(clusters=chunk, include=["STATISTICS"])["clusters"]
    return [c for c in described if c["status"] != "INACTIVE"]


def totals_rows(html: str) -> dict[str, list[str]]:
    """The totals table: region -> its cells as text."""
    rows = re.findall(r'<tr data-testid="cluster-total" data-region="([^"]*)">(.*?)</tr>', html)
    return {
        region: [
            re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row)
        ]
        for region, row in rows
    }


def region_section(html: str, region: str) -> str:
    """The role page's part for one region: its heading to the next region's."""
    start = html.index(f'<h3 data-testid="blocker-region">{region}')
    end = html.find('<h3 data-testid="blocker-region">', start + 1)
    return html[start : end if end != -1 else html.index("</section>", start)]


def shown_names(html: str) -> list[str]:
    return [
        unescape(name)
        for name in re.findall(r'data-testid="cluster">\s*<p><strong>(.*?)</strong>', html)
    ]


def test_the_role_page_reads_as_much_with_30_clusters_in_a_region_as_with_2(viewer_client, prod):
    url = reverse("role-detail", args=[ecs_role(prod).pk])
    viewer_client.get(url)
    small_queries, small = page_queries(viewer_client, url)
    assert shown_names(region_section(small, REGION)) == ["payments-prod", "web-prod"]
    assert 'data-testid="all-clusters"' not in small

    add_clusters(prod, REGION, [f"batch-{n:02d}" for n in range(28)])
    large_queries, large = page_queries(viewer_client, url)
    assert large_queries == small_queries
    section = region_section(large, REGION)
    # The region's first clusters by name, then a link to all of them.
    assert shown_names(section) == [f"batch-{n:02d}" for n in range(resources.FIRST_CLUSTERS)]
    link = re.search(r'data-testid="all-clusters" href="([^"]+)">([^<]+)</a>', section)
    assert link.group(2) == f"All 30 clusters in {REGION}"
    assert unescape(link.group(1)) == reverse("role-clusters", args=[ecs_role(prod).pk]) + (
        f"?region={REGION}"
    )
    # The other regions are as small as they were.
    assert large.count('data-testid="all-clusters"') == 1
    assert large.count('data-testid="cluster"') == resources.FIRST_CLUSTERS + 3


def test_each_regions_totals_are_what_aws_reports(viewer_client, prod):
    # A cluster running services beside the demo's, so the sums add up different clusters.
    add_clusters(prod, REGION, ["busy"])
    client = aws.client("ecs", PROD, REGION)
    for n in range(3):
        client.create_service(cluster="busy", serviceName=f"svc-{n}", desiredCount=2)
    assert sync_now(prod).status == SyncRun.Status.SUCCEEDED

    html = viewer_client.get(reverse("role-detail", args=[ecs_role(prod).pk])).content.decode()
    rows = totals_rows(html)
    assert sorted(rows) == sorted(REGIONS)
    for region in REGIONS:
        clusters = aws_clusters(region)
        expected = [
            region,
            str(len(clusters)),
            str(sum(c["activeServicesCount"] for c in clusters)),
            str(sum(c["registeredContainerInstancesCount"] for c in clusters)),
            f"{sum(c['runningTasksCount'] for c in clusters)} / "
            f"{sum(c['pendingTasksCount'] for c in clusters)}",
        ]
        assert rows[region] == expected, region
    assert rows[REGION][1] == "3" and int(rows[REGION][2]) >= 3
    assert int(rows[REGION][4].split(" / ")[0]) >= 6


def test_a_region_whose_read_failed_is_marked_stale_in_the_totals(viewer_client, prod, emulator):
    emulator.control.add_faults(
        {"operation": "ecs:ListClusters", "region": "eu-west-1", "error": "AccessDenied"}
    )
    sync_now(prod)
    emulator.control.clear_faults()
    assert EcsRegion.objects.get(account=prod, region="eu-west-1").stale
    html = viewer_client.get(reverse("role-detail", args=[ecs_role(prod).pk])).content.decode()
    rows = totals_rows(html)
    # Its clusters are kept from the read before, and said to be stale.
    assert rows["eu-west-1"][0] == "eu-west-1 stale" and rows["eu-west-1"][1] == "2"
    assert rows[REGION][0] == REGION
    assert '<h3 data-testid="blocker-region">eu-west-1 <span class="pill warn">stale</span>' in html


def test_the_clusters_page_walks_every_blocking_cluster_of_the_region_once(viewer_client, prod):
    add_clusters(prod, REGION, [f"batch-{n:02d}" for n in range(28)])
    role = ecs_role(prod)
    html = viewer_client.get(reverse("role-detail", args=[role.pk])).content.decode()
    link = re.search(r'data-testid="all-clusters" href="([^"]+)"', html).group(1)
    base = reverse("role-clusters", args=[role.pk])

    seen, pages, response = [], 0, viewer_client.get(unescape(link))
    while True:
        assert response.status_code == 200
        pages += 1
        page = response.content.decode()
        assert shown_names(page) == [c.name for c in response.context["page"]]
        seen += shown_names(page)
        following = re.search(r'rel="next" href="([^"]+)"', page)
        if not following:
            break
        response = viewer_client.get(base + unescape(following.group(1)))
    expected = sorted(c["clusterName"] for c in aws_clusters(REGION))
    assert len(expected) == 30
    assert seen == expected  # every one, once, in name order
    assert pages == 2  # 25 a page
    assert totals_rows(page)[REGION][1] == "30"
    # The role page showed the first of them, as the clusters page orders them.
    assert shown_names(region_section(html, REGION)) == seen[: resources.FIRST_CLUSTERS]


def test_an_unknown_region_or_another_role_is_404(viewer_client, prod):
    url = reverse("role-clusters", args=[ecs_role(prod).pk])
    assert viewer_client.get(url, {"region": "mars-1"}).status_code == 404
    assert viewer_client.get(url).status_code == 404
    # A region AWS has, but the account is not set to scan.
    assert viewer_client.get(url, {"region": "us-west-2"}).status_code == 404
    other = ServiceLinkedRole.objects.filter(account=prod).exclude(pk=ecs_role(prod).pk).first()
    for pk in (other.pk, 0):
        url = reverse("role-clusters", args=[pk])
        assert viewer_client.get(url, {"region": REGION}).status_code == 404


def test_a_bad_cursor_is_400(viewer_client, prod):
    url = reverse("role-clusters", args=[ecs_role(prod).pk])
    response = viewer_client.get(url, {"region": REGION, "after": "not a cursor"})
    assert response.status_code == 400
    assert "after: not a page cursor" in response.content.decode()
    # Values of the wrong type for (name, id).
    assert viewer_client.get(url, {"region": REGION, "before": "WzEsICJ4Il0"}).status_code == 400


def test_a_hostile_cluster_name_is_escaped_on_both_pages(viewer_client, prod):
    # No "/" in the markup: a cluster's name is what follows the last one in its ARN.
    markup = "<img src=x onerror=alert(1)>"
    spoofed = f"gpj{RLO}exe.cluster"
    add_clusters(prod, REGION, [markup, spoofed])
    assert EcsCluster.objects.filter(name__in=[markup, spoofed]).count() == 2
    role = ecs_role(prod)
    urls = [
        reverse("role-detail", args=[role.pk]),
        reverse("role-clusters", args=[role.pk]) + f"?region={REGION}",
    ]
    for url in urls:
        html = viewer_client.get(url).content.decode()
        assert markup not in html, url
        assert "<strong>&lt;img src=x onerror=alert(1)&gt;</strong>" in html, url
        assert RLO not in html, url
        assert "<strong>gpj\\u202eexe.cluster</strong>" in html, url


def test_a_signed_out_user_is_sent_to_sign_in(prod):
    url = reverse("role-clusters", args=[ecs_role(prod).pk]) + f"?region={REGION}"
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")

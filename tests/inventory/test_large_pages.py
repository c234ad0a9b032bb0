"""Pages that do not grow with what they show: an ECS cluster is shown with its
counts and its services and instances are read from AWS on demand a page at a
time, a big cleanup plan shows each region's first steps and pages the rest,
and the query count stays the same.
"""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from roles.cleanup import views as cleanup_views
from roles.models import CleanupPlan, CleanupStep, EcsCluster
from tests.cleanup.test_cleanup import REGIONS, ecs_role
from tests.cleanup.test_cleanup_views import plan_for
from tests.support import aws

# The SQLite pass of .ci/run runs this module too (docs/testing.md).
pytestmark = pytest.mark.engine

PROD = "111111111111"


@pytest.fixture
def prod(sync_demo):
    return sync_demo("acme-prod", regions=REGIONS)["acme-prod"]


def page_queries(client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def add_services(cluster: EcsCluster, count: int) -> None:
    """Services created in the emulator as AWS would hold them."""
    client = aws.client("ecs", cluster.region.account.aws_account_id, cluster.region.region)
    for n in range(count):
        client.create_service(cluster=cluster.arn, serviceName=f"svc-{n:04d}", desiredCount=0)


def next_link(response) -> str | None:
    found = re.search(r'rel="next" href="([^"]+)"', response.content.decode())
    return unescape(found.group(1)) if found else None


def test_the_role_page_counts_each_cluster_and_never_lists_it(viewer_client, prod, emulator):
    url = reverse("role-detail", args=[ecs_role(prod).pk])
    viewer_client.get(url)
    emulator.control.reset_calls()
    queries, html = page_queries(viewer_client, url)
    assert emulator.control.calls()["total"] == 0  # the page reads the database only
    web = EcsCluster.objects.get(name="web-prod")
    assert f"{web.active_services} active service" in html
    assert html.count('data-testid="cluster-lists"') == EcsCluster.objects.blocking().count()
    add_services(web, 150)
    assert page_queries(viewer_client, url)[0] == queries


def test_a_clusters_services_are_read_from_aws_a_page_at_a_time(viewer_client, prod, emulator):
    web = EcsCluster.objects.get(name="web-prod")
    add_services(web, 230)
    pages = (
        aws.client("ecs", PROD, web.region.region)
        .get_paginator("list_services")
        .paginate(cluster=web.arn)
    )
    expected = sorted(arn for page in pages for arn in page["serviceArns"])
    emulator.control.reset_calls()
    first = viewer_client.get(reverse("cluster-services", args=[web.pk]), HTTP_HX_REQUEST="true")
    html = first.content.decode()
    # An htmx fragment of ListServices' maximum page: 1 List + 10 Describe calls (10 a call).
    assert "<html" not in html and html.count('data-testid="cluster-service"') == 100
    operations = emulator.control.calls()["operations"]
    assert (operations.get("ecs:ListServices"), operations.get("ecs:DescribeServices")) == (1, 10)
    seen, response = [], first
    while True:
        seen += [s.arn for s in response.context["items"]]
        following = next_link(response)
        if following is None:
            break
        response = viewer_client.get(following, HTTP_HX_REQUEST="true")
    assert sorted(seen) == expected and len(seen) == len(set(seen))
    whole = viewer_client.get(reverse("cluster-instances", args=[web.pk])).content.decode()
    assert "<title>web-prod: container instances · rolecall</title>" in whole


def test_an_aws_refusal_shows_its_code_and_request_id(viewer_client, prod, emulator):
    web = EcsCluster.objects.get(name="web-prod")
    emulator.control.add_faults(
        {"operation": "ecs:ListServices", "error": "AccessDeniedException", "count": 1}
    )
    html = viewer_client.get(reverse("cluster-services", args=[web.pk])).content.decode()
    assert "Could not list the cluster&#x27;s services:" in html
    assert "<strong>AccessDeniedException</strong>" in html and "request id" in html


def test_a_hostile_page_token_is_a_400_and_a_hostile_name_is_escaped(viewer_client, prod):
    web = EcsCluster.objects.get(name="web-prod")
    url = reverse("cluster-services", args=[web.pk])
    assert viewer_client.get(url, {"token": "x" * 5000}).status_code == 400
    assert viewer_client.get(url, {"token": "a\nb\x00"}).status_code == 400
    client = aws.client("ecs", PROD, web.region.region)
    client.create_service(cluster=web.arn, serviceName="x<b>y</b>", desiredCount=0)
    response = viewer_client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "x<b>y</b>" not in html


def test_a_big_plan_shows_each_regions_first_steps_and_pages_the_rest(operator_client, prod):
    plan = plan_for(operator_client, prod)
    url = reverse("cleanup-detail", args=[plan.pk])
    small_queries, small = page_queries(operator_client, url)
    assert small.count('data-testid="step"') == 36 and 'data-testid="all-steps"' not in small
    # 120 more services in one region: 240 more steps, planned afresh from AWS.
    add_services(EcsCluster.objects.get(name="web-prod"), 120)
    operator_client.post(reverse("role-cleanup", args=[ecs_role(prod).pk]))
    plan = CleanupPlan.objects.get(state=CleanupPlan.State.PLANNED)
    url = reverse("cleanup-detail", args=[plan.pk])
    large_queries, large = page_queries(operator_client, url)
    assert large_queries == small_queries
    shown = large.count('data-testid="step"')
    assert shown <= cleanup_views.PAGE_STEPS
    region = plan.regions.filter(steps__resource_arn__contains="/svc-0119").distinct().get()
    total = region.steps.count()
    assert total > 240 and region.step_total == total
    assert f"<strong>{region.region}</strong>: {total} steps" in large
    deletes = region.steps.filter(action=CleanupStep.Action.DELETE_SERVICE).count()
    assert deletes > 120 and f"{deletes} × DeleteService" in large
    link = re.search(r'data-testid="all-steps" href="([^"]+)"', large).group(1)
    orders = []
    response = operator_client.get(unescape(link))
    while True:
        orders += [s.order for s in response.context["page"]]
        more = re.search(r'rel="next" href="([^"]+)"', response.content.decode())
        if not more:
            break
        response = operator_client.get(
            reverse("cleanup-steps", args=[plan.pk]) + unescape(more.group(1))
        )
    assert orders == list(region.steps.order_by("order").values_list("order", flat=True))


def test_the_steps_page_of_an_unknown_region_is_404(operator_client, prod):
    plan = plan_for(operator_client, prod)
    url = reverse("cleanup-steps", args=[plan.pk])
    assert operator_client.get(url, {"region": "mars-1"}).status_code == 404
    assert operator_client.get(url).status_code == 404

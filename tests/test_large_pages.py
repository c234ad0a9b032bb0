"""Pages that do not grow with what they show: a big ECS cluster's services and
instances are listed on demand a page at a time, a big cleanup plan shows each
region's first steps and pages the rest, and the query count stays the same.
"""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from roles.models import CleanupStep, EcsCluster, EcsContainerInstance, EcsService
from roles.views import cleanup as cleanup_views
from roles.views.resources import PAGE_SIZE
from roles.views.roles import INLINE
from tests.test_cleanup import REGIONS, ecs_role
from tests.test_cleanup_views import plan_for


@pytest.fixture
def prod(sync_demo):
    return sync_demo("acme-prod", regions=REGIONS)["acme-prod"]


def grow(cluster: EcsCluster, services: int, instances: int) -> None:
    EcsService.objects.bulk_create(
        EcsService(
            cluster=cluster, arn=f"{cluster.arn}/svc-{n:05d}", name=f"svc-{n:05d}", status="ACTIVE"
        )
        for n in range(services)
    )
    EcsContainerInstance.objects.bulk_create(
        EcsContainerInstance(cluster=cluster, arn=f"{cluster.arn}/ci-{n:05d}", status="ACTIVE")
        for n in range(instances)
    )
    EcsCluster.objects.filter(pk=cluster.pk).update(
        active_services=cluster.services.count(),
        registered_instances=cluster.instances.count(),
    )


def page_queries(client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_a_big_cluster_is_counted_on_the_role_page_and_listed_on_demand(viewer_client, prod):
    url = reverse("role-detail", args=[ecs_role(prod).pk])
    viewer_client.get(url)
    small_queries, small = page_queries(viewer_client, url)
    assert 'data-testid="cluster-lists"' not in small  # the demo's clusters are listed inline
    big = EcsCluster.objects.get(name="web-prod")
    grow(big, services=INLINE + 250, instances=INLINE + 5)
    large_queries, large = page_queries(viewer_client, url)
    assert large_queries == small_queries
    assert "svc-00000" not in large and len(large) < len(small) + 2000
    assert large.count('data-testid="cluster-lists"') == 1
    big.refresh_from_db()
    assert f"{big.active_services} active services · {big.registered_instances} container" in large

    # The first page of services, as htmx loads it in place: a fragment, not a page.
    first = viewer_client.get(reverse("cluster-services", args=[big.pk]), HTTP_HX_REQUEST="true")
    html = first.content.decode()
    assert "<html" not in html and html.count('data-testid="cluster-service"') == PAGE_SIZE
    # Following "next" to the end gives every service once, in name order.
    seen, response = [], first
    while True:
        page = response.context["page"]
        seen += [s.name for s in page]
        more = re.search(r'rel="next" href="([^"]+)"', response.content.decode())
        if not more:
            break
        response = viewer_client.get(unescape(more.group(1)), HTTP_HX_REQUEST="true")
    assert seen == list(big.services.order_by("name", "pk").values_list("name", flat=True))
    # Without htmx the same link is a whole page.
    whole = viewer_client.get(reverse("cluster-instances", args=[big.pk])).content.decode()
    assert "<title>web-prod: container instances · rolecall</title>" in whole


def test_a_hostile_service_name_on_demand_is_escaped(viewer_client, prod):
    big = EcsCluster.objects.get(name="web-prod")
    EcsService.objects.create(cluster=big, arn=f"{big.arn}/x", name="<script>x</script>")
    html = viewer_client.get(reverse("cluster-services", args=[big.pk])).content.decode()
    assert "<script>x</script>" not in html and "&lt;script&gt;" in html


def test_a_big_plan_shows_each_regions_first_steps_and_pages_the_rest(operator_client, prod):
    plan = plan_for(operator_client, prod)
    url = reverse("cleanup-detail", args=[plan.pk])
    small_queries, small = page_queries(operator_client, url)
    assert small.count('data-testid="step"') == 36 and 'data-testid="all-steps"' not in small
    region = plan.regions.get(region="us-east-1")
    top = region.steps.order_by("-order").first()
    CleanupStep.objects.bulk_create(
        CleanupStep(
            plan=plan,
            region=region,
            order=top.order + n,
            action=CleanupStep.Action.DEREGISTER,
            resource_arn=f"{top.cluster_arn}/ci-{n:05d}",
            cluster_arn=top.cluster_arn,
        )
        for n in range(1, 3001)
    )
    large_queries, large = page_queries(operator_client, url)
    assert large_queries == small_queries
    shown = large.count('data-testid="step"')
    assert shown <= 36 + cleanup_views.INLINE_STEPS
    total = region.steps.count()
    assert f"<strong>us-east-1</strong>: {total} steps" in large
    deregister = region.steps.filter(action=CleanupStep.Action.DEREGISTER).count()
    assert deregister > 3000 and f"{deregister} × DeregisterContainerInstance" in large
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

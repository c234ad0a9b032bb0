"""The charts in a real Chromium: drawn under the Content-Security-Policy with nothing
refused, their cells lead where they say, and each is photographed for docs/screenshots.md."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from roles.cleanup import plan as planning
from roles.models import DeletionRequest, ServiceLinkedRole, SyncRun
from tests.conftest import SCREENSHOTS

pytestmark = pytest.mark.browser

REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2", "us-west-2"]


@pytest.fixture
def synced(sync_demo):
    return sync_demo(regions=REGIONS)


def refusals(page) -> list[str]:
    """Console messages of anything the Content-Security-Policy refused."""
    found: list[str] = []
    page.on("console", lambda m: found.append(m.text) if "Content Security" in m.text else None)
    return found


def photograph(page, testid: str, name: str) -> None:
    """The chart alone, for docs/screenshots.md."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.get_by_test_id(testid).screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def drawn(page, selector: str) -> tuple[float, float]:
    box = page.locator(selector).first.bounding_box()
    assert box is not None
    return box["width"], box["height"]


def test_the_dormancy_map_leads_to_a_role_and_to_the_filtered_list(browser, viewer, synced):
    page = browser.page
    refused = refusals(page)
    browser.login("carol")
    page.goto("/")
    chart = page.get_by_test_id("dormancy-map")
    width, height = drawn(page, '[data-testid="dormancy-map"] svg[role="img"]')
    assert width > 250 and height > 200
    # The patterns are resolved: a cell's fill is a pattern, not "none" or black.
    fill = page.eval_on_selector('[data-testid="map-cell"] rect', "e => getComputedStyle(e).fill")
    assert fill.startswith("url(")
    photograph(page, "dormancy-map", "dormancy-map")
    chart.locator("summary").click()
    photograph(page, "map-table", "dormancy-map-table")
    prod = ServiceLinkedRole.objects.get(account__name="acme-prod", name="AWSServiceRoleForECS")
    page.locator(f'[data-testid="map-cell"][href="/roles/{prod.pk}/"]').click()
    page.wait_for_url(f"**/roles/{prod.pk}/")
    page.go_back()
    page.locator('svg a[href="/roles/?service=ecs.amazonaws.com"]').click()
    page.wait_for_url("**/roles/?service=ecs.amazonaws.com")
    # acme-prod and acme-staging: the two cells of the row that hold a role.
    assert page.get_by_test_id("roles-table").locator("tbody tr").count() == 2
    page.goto("/")
    page.select_option("#map-mode", "ou")
    page.get_by_test_id("map-mode").get_by_role("button").click()
    page.wait_for_url("**map=ou**")
    assert page.get_by_test_id("dormancy-map").get_attribute("data-mode") == "ou"
    assert refused == []


def test_blockers_by_region_on_the_role_and_its_plan(browser, operator, synced):
    page = browser.page
    refused = refusals(page)
    role = ServiceLinkedRole.objects.get(account__name="acme-prod", name="AWSServiceRoleForECS")
    plan, _ = planning.build(role, user=operator)
    browser.login("alice")
    page.goto(f"/roles/{role.pk}/")
    tiles = page.get_by_test_id("role-regions").get_by_test_id("region-tile")
    assert tiles.count() == len(REGIONS)
    assert page.locator('[data-testid="role-regions"] [data-key="blocked"]').count() >= 1
    photograph(page, "role-regions", "role-regions")
    page.goto(f"/cleanups/{plan.pk}/")
    assert page.get_by_test_id("plan-regions").get_by_test_id("region-tile").count() == len(REGIONS)
    photograph(page, "plan-regions", "plan-regions")
    assert refused == []


def test_sync_health_on_the_account_page(browser, viewer, synced):
    page = browser.page
    refused = refusals(page)
    prod = synced["acme-prod"]
    now = timezone.now()
    for n in range(14):
        started = now - timedelta(days=14 - n)
        status = "partial" if n in (4, 9) else "failed" if n == 11 else "succeeded"
        run = SyncRun.objects.create(
            account=prod,
            status=status,
            started=started,
            finished=started + timedelta(seconds=20 + n * 2 + (25 if status == "partial" else 0)),
            aws_calls=0 if status == "failed" else 180 + n * 3,
            region_errors={"eu-west-1": {"code": "Throttling"}} if status == "partial" else {},
            error={"code": "AccessDenied"} if status == "failed" else {},
        )
        SyncRun.objects.filter(pk=run.pk).update(created=started)
    browser.login("carol")
    page.goto(f"/accounts/{prod.pk}/")
    assert page.get_by_test_id("sync-duration").locator('[data-testid="bar"]').count() == 15
    photograph(page, "sync-health", "sync-health")
    assert refused == []


def test_deletion_outcomes_per_week(browser, viewer, operator, synced):
    page = browser.page
    refused = refusals(page)
    roles = list(ServiceLinkedRole.objects.filter(account__name="acme-staging"))
    outcomes = ["succeeded", "succeeded", "failed", "rejected", "succeeded", "error"]
    for n, role in enumerate(roles):
        finished = timezone.now() - timedelta(weeks=n % 7, days=1)
        DeletionRequest.objects.create(
            role=role,
            account=role.account,
            role_arn=role.arn,
            role_name=role.name,
            requested_by=operator,
            requested_by_name="alice",
            state=outcomes[n % len(outcomes)],
            finished=finished,
        )
    browser.login("carol")
    page.goto("/deletions/")
    bars = page.get_by_test_id("deletion-weeks").locator('[data-testid="bar"]')
    assert bars.count() == 12
    photograph(page, "deletion-activity", "deletion-activity")
    assert refused == []

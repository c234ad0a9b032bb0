"""Every page fits a 1280 px window: only a wide table or block scrolls, inside its own box."""

from __future__ import annotations

import pytest

from roles.cleanup import plan as planning
from roles.deletion.service import request_deletion
from roles.models import (
    AuditEvent,
    DeletionRequest,
    Outcome,
    ProtectedRule,
    ServiceLinkedRole,
)
from tests.support.drive import drive_deletion

pytestmark = pytest.mark.browser

REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2", "us-west-2"]
LONG_ARN = (
    "arn:aws:iam::111111111111:role/aws-service-role/"
    "autoscaling-plans.amazonaws.com/AWSServiceRoleForAutoScalingPlans_EC2AutoScaling"
    "_with_a_very_long_custom_suffix_that_never_breaks_by_itself"
)


@pytest.fixture
def scene(sync_demo, admin_user, settings):
    """Synced demo data, a failed deletion, a cleanup plan and a long audit event."""
    prod = sync_demo(regions=REGIONS)["acme-prod"]
    ecs = ServiceLinkedRole.objects.get(account=prod, name="AWSServiceRoleForECS")
    spot = ServiceLinkedRole.objects.get(account=prod, name="AWSServiceRoleForEC2Spot")
    settings.ROLECALL_REQUIRE_APPROVAL = False
    deletion = drive_deletion(request_deletion(ecs, user=admin_user).request)
    assert deletion.state == DeletionRequest.State.FAILED
    plan, _ = planning.build(ecs, user=admin_user)
    ProtectedRule.objects.create(
        kind="role", pattern="AWSServiceRoleForOrganizations", reason="Organizations needs it"
    )
    AuditEvent.objects.record(
        "deletion.failed",
        actor_name="alice",
        outcome=Outcome.FAILURE,
        target_arn=LONG_ARN,
        account_id="111111111111",
        aws_request_id="0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
        details={
            "reason": "Service-linked role is in use by " + ",".join([LONG_ARN] * 6),
            "resources": [f"{LONG_ARN}/cluster/{n:04d}" for n in range(20)],
            "token": "x" * 600,
        },
    )
    return {"prod": prod, "ecs": ecs, "spot": spot, "deletion": deletion, "plan": plan}


def fits(browser, name: str) -> None:
    page = browser.page
    # Open every collapsed block (audit details, policies, steps): they must fit too.
    closed = page.locator("main details:not([open]) > summary:visible")
    for _ in range(200):
        if not closed.count():
            break
        closed.first.click()
    widths = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth, document.title]"
    )
    browser.screenshot(f"width-{name}")
    assert widths[0] <= widths[1], f"{name} ({widths[2]}) is {widths[0]} px wide in {widths[1]}"


def test_every_page_fits_1280_px_without_scrolling_the_page(browser, scene):
    pages = {
        "overview": "/",
        "accounts": "/accounts/",
        "account-detail": f"/accounts/{scene['prod'].pk}/",
        "account-edit": f"/accounts/{scene['prod'].pk}/edit/",
        "roles": "/roles/",
        "role-ecs-prod": f"/roles/{scene['ecs'].pk}/",
        "role-non-ecs": f"/roles/{scene['spot'].pk}/",
        "delete-confirm": f"/roles/{scene['spot'].pk}/delete/",
        "deletions": "/deletions/",
        "deletion-failed": f"/deletions/{scene['deletion'].pk}/",
        "cleanup-plan": f"/cleanups/{scene['plan'].pk}/",
        "notifications": "/notifications/",
        "audit": "/audit/",
        "admin-protected-rules": "/admin/roles/protectedrule/",
    }
    browser.login("admin")
    page = browser.page
    assert page.evaluate("window.innerWidth") == 1280
    for name, url in pages.items():
        response = page.goto(url)
        assert response.status == 200, f"{name}: {url} answered {response.status}"
        assert page.url.endswith(url), f"{name}: {url} redirected to {page.url}"
        fits(browser, name)
        if name == "role-non-ecs":
            verdict = page.get_by_test_id("verdict").inner_text()
            assert verdict.startswith("Not checked: AWS will check when you delete.")
            assert (
                "Not accessed in the tracking period"
                in page.get_by_test_id("evidence").inner_text()
            )
        if name == "deletion-failed":
            assert page.get_by_test_id("cleanup-offer").get_by_test_id("cleanup-link").is_visible()
        if name == "cleanup-plan":
            assert (
                "1 region with nothing to do: us-west-2"
                in page.get_by_test_id("idle-regions").inner_text()
            )


def test_the_audit_details_column_is_inside_the_window(browser, scene):
    browser.login("admin")
    page = browser.page
    page.goto("/audit/")
    row = page.locator("[data-testid=audit-table] tbody tr", has_text="very_long_custom_suffix")
    row.locator("details > summary").click()
    box = row.locator("td").last.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 1280
    browser.screenshot("width-audit-details-open")

"""The readiness verdict in Chromium: from "can be deleted now" to a deleted role,
a blocked role's resources and its dry-run cleanup steps, the overview's counts."""

import pytest

from roles.models import DeletionRequest, ServiceLinkedRole

pytestmark = pytest.mark.browser

ELB = "AWSServiceRoleForElasticLoadBalancing"

# The account is narrowed to the three demo regions (tests/support/sync.py REGIONS).
READY = (
    "Can be deleted now: no load balancer in any of the 3 regions read (the account is set "
    "to scan only these; AWS checks every region). Target groups are not read: the guide "
    "names them only as creating this role, and only load balancers as blocking its deletion."
)


@pytest.fixture
def staging(sync_demo):
    """acme-staging synced here on the default regions, before any worker runs."""
    return sync_demo("acme-staging")["acme-staging"]


@pytest.fixture
def worker_after_sync(staging, worker):
    """The real worker, started once the sync is done: its queue is purged as it
    starts, so it never races this process for the sync run."""
    return worker


@pytest.mark.worker
def test_alice_deletes_a_role_the_verdict_says_can_be_deleted_now(
    browser, operator, emulator, staging, worker_after_sync
):
    role = ServiceLinkedRole.objects.get(account=staging, name=ELB)
    assert role.verdict == "ready" and not role.checks_ecs

    page = browser.page
    browser.login("alice")
    page.click("nav >> text=Roles")
    page.select_option("#id_verdict", label="can be deleted now")
    page.click("form.filters button[type=submit]")
    assert "verdict=ready" in page.url
    table = page.get_by_test_id("roles-table")
    cells = table.get_by_test_id("verdict").all_inner_texts()
    assert cells and all(c.strip() == "can be deleted now" for c in cells), cells
    rows = table.locator("tbody tr").filter(has=page.get_by_role("link", name=ELB, exact=True))
    # Only staging's: prod's load balancer role is blocked.
    assert rows.count() == 1
    assert "acme-staging" in rows.inner_text()
    assert rows.get_by_test_id("verdict").inner_text().strip() == "can be deleted now"
    browser.screenshot("readiness-list-ready")
    rows.get_by_role("link", name=ELB, exact=True).click()

    page.get_by_test_id("verdict").wait_for()
    assert page.url.endswith(f"/roles/{role.pk}/")
    assert page.get_by_test_id("verdict").inner_text() == READY
    assert page.get_by_test_id("blockers").count() == 0
    assert page.get_by_test_id("cleanup-steps").count() == 0
    browser.screenshot("readiness-ready")

    page.get_by_test_id("delete").click()
    assert page.get_by_test_id("verdict").inner_text() == READY
    # Staging is not a production account: the role name alone confirms.
    assert page.locator("#id_confirm_account").count() == 0
    page.fill("#id_confirm_name", ELB)
    page.click("button.danger")
    page.get_by_test_id("deletion").wait_for()
    deletion = DeletionRequest.objects.get(role=role)
    assert page.url.endswith(f"/deletions/{deletion.pk}/")

    # The page polls until the worker has submitted and seen AWS finish.
    page.wait_for_selector("[data-testid=deletion][data-state=succeeded]", timeout=30_000)
    assert page.get_by_test_id("state").inner_text() == "Succeeded"
    attempts = page.get_by_test_id("attempt")
    assert attempts.count() == 1
    assert "SUCCEEDED" in attempts.inner_text()
    assert "DeletionTaskId" in attempts.inner_text()
    assert READY in (page.get_by_test_id("deletion").inner_text())  # the evidence at request time
    browser.screenshot("readiness-deleted")

    deletion.refresh_from_db()
    role.refresh_from_db()
    assert deletion.state == DeletionRequest.State.SUCCEEDED
    assert role.state == ServiceLinkedRole.State.DELETED
    assert emulator.control.calls()["operations"]["iam:DeleteServiceLinkedRole"] == 1

    page.goto(f"/roles/{role.pk}/")
    assert "deleted" in page.locator("h1 .pill").inner_text()
    assert page.get_by_test_id("verdict").inner_text() == "The role no longer exists in AWS."


def test_a_blocked_load_balancer_role_shows_its_resources_and_the_cleanup_steps(
    browser, viewer, synced
):
    prod = synced["acme-prod"]
    role = ServiceLinkedRole.objects.get(account=prod, name=ELB)

    page = browser.page
    browser.login("carol")
    page.goto(f"/roles/{role.pk}/")
    assert page.get_by_test_id("verdict").inner_text() == "Blocked in 2 regions."
    blockers = page.get_by_test_id("blockers")
    regions = blockers.get_by_test_id("blocker-region").all_inner_texts()
    assert regions == ["eu-west-1", "us-east-1"]
    rows = blockers.get_by_test_id("blocker").all_inner_texts()
    assert len(rows) == 2, rows
    classic, alb = rows
    assert "Classic Load Balancer" in classic and "legacy-web" in classic
    assert "elasticloadbalancing:eu-west-1:111111111111:loadbalancer/legacy-web" in classic
    assert "Application Load Balancer" in alb and "storefront-alb" in alb
    assert "elasticloadbalancing:us-east-1:111111111111:loadbalancer/app/storefront-alb/" in alb
    browser.screenshot("readiness-blocked")

    page.get_by_test_id("cleanup-steps").click()
    page.get_by_test_id("steps").wait_for()
    assert page.url.endswith(f"/roles/{role.pk}/cleanup-steps/")
    assert page.get_by_test_id("verdict").inner_text() == "Blocked in 2 regions."
    manual = page.get_by_test_id("manual").inner_text()
    assert "rolecall does not remove these resources" in manual
    steps = page.get_by_test_id("step").all_inner_texts()
    assert len(steps) == 2, steps
    by_name = {name: s for s in steps for name in ("storefront-alb", "legacy-web") if name in s}
    assert set(by_name) == {"storefront-alb", "legacy-web"}
    assert "us-east-1" in by_name["storefront-alb"]
    assert (
        "elasticloadbalancing:DeleteLoadBalancer(LoadBalancerArn=arn:aws:elasticloadbalancing:"
        "us-east-1:111111111111:loadbalancer/app/storefront-alb/" in by_name["storefront-alb"]
    )
    assert "eu-west-1" in by_name["legacy-web"]
    assert (
        "elasticloadbalancing:DeleteLoadBalancer(LoadBalancerName=legacy-web)"
        in by_name["legacy-web"]
    )
    assert page.get_by_role("link", name="Export CSV").count() == 1
    assert page.get_by_role("link", name="Export JSON").count() == 1
    browser.screenshot("cleanup-steps")


def test_the_overview_counts_verdicts_and_the_blocked_count_lists_only_blocked_roles(
    browser, viewer, synced
):
    page = browser.page
    browser.login("carol")
    page.goto("/")
    card = page.get_by_test_id("verdicts")
    assert "Readiness" in card.inner_text()
    ready = card.get_by_test_id("verdict-ready")
    blocked = card.get_by_test_id("verdict-blocked")
    assert "can be deleted now" in ready.inner_text()
    assert "blocked" in blocked.inner_text()
    ready_count = int(ready.locator(".n").inner_text())
    blocked_count = int(blocked.locator(".n").inner_text())
    assert ready_count > 0 and blocked_count > 0
    assert ready_count == ServiceLinkedRole.objects.live().filter(verdict="ready").count()
    assert blocked_count == ServiceLinkedRole.objects.live().filter(verdict="blocked").count()
    browser.screenshot("overview-readiness")

    blocked.click()
    table = page.get_by_test_id("roles-table")
    table.wait_for()
    assert "verdict=blocked" in page.url
    assert page.locator("#id_verdict").input_value() == "blocked"
    assert f"{blocked_count} role" in page.locator(".toolbar").inner_text()
    cells = table.get_by_test_id("verdict").all_inner_texts()
    assert len(cells) == blocked_count
    assert all(c.strip().startswith("blocked:") for c in cells), cells
    names = table.locator("tbody tr").all_inner_texts()
    assert any(ELB in n and "acme-prod" in n for n in names)
    assert not any("acme-staging" in n for n in names)  # nothing holds staging's roles
    browser.screenshot("readiness-list-blocked")

import pytest

from roles.models import Account

pytestmark = pytest.mark.browser

REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2", "us-west-2"]


@pytest.fixture
def synced(sync_demo):
    """Every demo account, us-west-2 too: a region with no ECS cluster."""
    return sync_demo(regions=REGIONS)


def test_review_the_ecs_role_in_prod(browser, viewer, synced):
    page = browser.page
    browser.login("carol")
    page.goto("/")
    browser.screenshot("overview-synced")
    page.click("nav >> text=Roles")
    page.fill("#id_unused_days", "400")
    page.click("form.filters button[type=submit]")
    table = page.get_by_test_id("roles-table")
    assert "Not accessed in the tracking period" in table.inner_text()
    assert "AWSServiceRoleForECS" not in table.inner_text()  # used yesterday
    browser.screenshot("roles-unused")
    page.fill("#id_unused_days", "")
    page.fill("#id_q", "AWSServiceRoleForECS")
    # The account chooser suggests as you type (htmx) and keeps the search typed above.
    page.fill("#id_account_q", "prod")
    suggestions = page.get_by_test_id("account-suggestions")
    suggestions.get_by_role("link", name="acme-prod").wait_for()
    browser.screenshot("roles-account-chooser")
    suggestions.get_by_role("link", name="acme-prod").click()
    page.wait_for_url("**account_q=acme-prod**")
    assert page.input_value("#id_account_q") == "acme-prod"
    assert page.input_value("#id_q") == "AWSServiceRoleForECS"
    page.get_by_test_id("roles-table").get_by_role("link", name="AWSServiceRoleForECS").click()
    page.get_by_test_id("verdict").wait_for()
    assert page.get_by_test_id("verdict").inner_text() == "Blocked in 3 regions."
    regions = page.get_by_test_id("blocker-region").all_inner_texts()
    assert [r.split()[0] for r in regions] == ["ap-southeast-2", "eu-west-1", "us-east-1"]
    clusters = page.get_by_test_id("cluster").all_inner_texts()
    assert [c.split()[0] for c in clusters] == [
        "web-prod-apac",
        "batch-eu",
        "payments-prod-eu",
        "payments-prod",
        "web-prod",
    ]
    browser.screenshot("role-detail-ecs")


@pytest.mark.worker
def test_refresh_shows_progress_then_the_result_without_a_reload(
    browser, operator, emulator, worker
):
    from roles.accounts.demo import ensure_accounts

    ensure_accounts()
    prod = Account.objects.get(name="acme-prod")
    Account.objects.filter(pk=prod.pk).update(regions=REGIONS)
    browser.login("alice")
    page = browser.page
    page.goto(f"/accounts/{prod.pk}/")
    page.evaluate("window.__marker = 'same page'")
    page.get_by_test_id("refresh").click()
    page.get_by_test_id("sync-progress").wait_for()
    page.wait_for_selector("[data-testid=sync-progress] [data-status=succeeded]", timeout=60_000)
    assert page.evaluate("window.__marker") == "same page"
    # 14: the demo prod account's roles (emulator/scenarios/demo.py ROLES).
    assert "14 roles" in page.get_by_test_id("sync-progress").inner_text()
    browser.screenshot("account-refreshed")

"""A row of /deletions/ is one link, by mouse anywhere on it and by keyboard."""

import pytest

from roles.models import CleanupPlan, DeletionRequest, ServiceLinkedRole

pytestmark = pytest.mark.browser


@pytest.fixture
def rows(sync_demo, operator):
    prod = sync_demo("acme-prod", regions=["us-east-1"])["acme-prod"]
    role = ServiceLinkedRole.objects.get(account=prod, name="AWSServiceRoleForECS")
    common = {
        "role": role,
        "account": prod,
        "role_arn": role.arn,
        "role_name": role.name,
        "requested_by": operator,
        "requested_by_name": "alice",
    }
    deletion = DeletionRequest.objects.create(state="failed", **common)
    plan = CleanupPlan.objects.create(state="succeeded", **common)
    return deletion, plan


def click_on(page, locator) -> None:
    """A real mouse click where the text is drawn (the row's link lies over every cell)."""
    box = locator.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def test_clicking_anywhere_on_a_row_opens_it(browser, viewer, rows):
    deletion, plan = rows
    browser.login("carol")
    page = browser.page
    page.goto("/deletions/")
    click_on(page, page.get_by_test_id("deletion-row").get_by_text("Failed"))
    page.wait_for_url(f"**/deletions/{deletion.pk}/")
    assert page.title() == f"Deletion #{deletion.pk} · rolecall"
    page.goto("/deletions/")
    click_on(page, page.get_by_test_id("cleanup-row").get_by_text("acme-prod"))
    page.wait_for_url(f"**/cleanups/{plan.pk}/")
    assert page.title() == f"Cleanup #{plan.pk} · rolecall"


def test_a_row_is_one_keyboard_stop_and_enter_opens_it(browser, viewer, rows):
    deletion, plan = rows
    browser.login("carol")
    page = browser.page
    page.goto("/deletions/")
    page.locator("form.filters button[type=submit]").focus()
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert focused == f"Deletion #{deletion.pk} of AWSServiceRoleForECS"
    browser.screenshot("deletions-row-focused")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == f"/cleanups/{plan.pk}/"  # the next stop is the next row, not a cell
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/deletions/{deletion.pk}/")

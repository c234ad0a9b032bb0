"""Connecting the emulated organization in Chromium, as docs/organizations.md walks through it,
then reading its page: OU paths, states, what rolecall does with each account."""

from __future__ import annotations

import pytest

from roles.models import Organization
from roles.organizations import discovery
from tests.web.test_page_width_browser import fits

pytestmark = pytest.mark.browser

HUB = "123456789012"


def test_an_admin_connects_the_organization_and_sees_its_accounts(browser, admin_user, emulator):
    emulator.control.enforce_iam(True)
    page = browser.page
    browser.login("admin")
    page.click("nav >> text=Organizations")
    assert "No organization connected" in page.get_by_test_id("organizations-table").inner_text()
    page.click("text=Connect an organization")
    page.fill("#id_name", "acme")
    page.fill("#id_management_account_id", HUB)
    page.fill("#id_role_arn", f"arn:aws:iam::{HUB}:role/RolecallOrganizations")
    page.fill("#id_external_id", "rolecall-demo")
    page.fill("#id_member_external_id", "rolecall-demo")
    page.select_option("#id_enroll", "all")
    page.fill("#id_exclude_text", f"{HUB}, 12")
    browser.screenshot("organization-connect")
    page.click("form.card button[type=submit]")
    # A bad exclusion is a form error; nothing is stored, what was typed stays.
    assert "Not a 12-digit account id: 12" in page.inner_text("form.card")
    assert not Organization.objects.exists()
    assert page.input_value("#id_role_arn").endswith(":role/RolecallOrganizations")
    page.fill("#id_exclude_text", HUB)
    page.click("form.card button[type=submit]")
    page.get_by_test_id("discovery").wait_for()
    assert "never" in page.get_by_test_id("discovery").inner_text()

    # What the worker does once the discovery it queued is taken.
    discovery.discover(Organization.objects.get().pk)
    page.reload()
    table = page.get_by_test_id("members-table")
    rows = {
        line.split("\t")[2]: line
        for line in table.locator("tbody tr").all_inner_texts()
        if "\t" in line
    }
    assert set(rows) == {HUB, "111111111111", "222222222222", "333333333333", "444444444444"}
    assert "Workloads / Production" in rows["111111111111"]
    assert "suspended" in rows["444444444444"] and "not enrolled" in rows["444444444444"]
    assert "excluded" in rows[HUB]
    assert "enrolled" in rows["333333333333"]
    browser.screenshot("organization")
    fits(browser, "organization")
    page.click("text=suspended (1)")
    assert page.get_by_test_id("members-table").locator("tbody tr").count() == 1
    assert "acme-legacy" in page.get_by_test_id("members-table").inner_text()
    assert "acme-sandbox" not in page.get_by_test_id("members-table").inner_text()

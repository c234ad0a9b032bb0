"""The whole deletion, as alice does it: a real worker, Redis, the emulator, Chromium."""

import pytest

from roles.models import DeletionRequest, ServiceLinkedRole, SyncRun
from tests.support.aws import remove_ecs_clusters
from tests.support.sync import sync_by_worker

pytestmark = [pytest.mark.browser, pytest.mark.worker]

REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2"]


def test_alice_deletes_the_ecs_role_in_prod_fails_cleans_up_and_retries(
    browser, operator, emulator, worker, demo_accounts
):
    prod = demo_accounts["acme-prod"]
    prod.regions = REGIONS
    prod.save(update_fields=["regions"])
    assert sync_by_worker(prod).status == SyncRun.Status.SUCCEEDED
    role = ServiceLinkedRole.objects.get(account=prod, name="AWSServiceRoleForECS")

    page = browser.page
    browser.login("alice")
    page.goto(f"/roles/{role.pk}/")
    page.get_by_test_id("delete").click()
    assert "Blocked in 3 regions." in page.get_by_test_id("verdict").inner_text()
    browser.screenshot("delete-confirm")
    page.fill("#id_confirm_name", "AWSServiceRoleForECS")
    page.fill("#id_confirm_account", "acme-prod")  # a production account
    page.click("button.danger")
    page.get_by_test_id("deletion").wait_for()
    deletion = DeletionRequest.objects.get(role=role)

    # The outcome arrives in the open notification list, without a reload.
    page.click("nav >> text=Notifications")
    page.evaluate("window.__marker = 'no reload'")
    failed = page.get_by_test_id("notification").filter(has_text="failed: in use in 3 regions")
    failed.wait_for(timeout=30_000)
    text = failed.inner_text()
    for region in REGIONS:
        assert f"{region}: arn:aws:ecs:{region}:111111111111:cluster/" in text
    assert page.get_by_test_id("unread-badge").inner_text() == "1"
    assert page.evaluate("window.__marker") == "no reload"
    browser.screenshot("notifications-failed")

    # Someone removes the clusters, region by region, as the AWS guide says.
    assert len(remove_ecs_clusters("111111111111", REGIONS)) == 5

    page.get_by_role("link", name="View details").first.click()
    # A retry is confirmed like the first request: the role and account names typed.
    retry = page.get_by_test_id("retry-form")
    retry.get_by_label("Type the role name to confirm").fill("AWSServiceRoleForECS")
    retry.get_by_label("Production account: type the account name").fill("acme-prod")
    browser.screenshot("deletion-retry")
    page.get_by_test_id("retry").click()
    page.get_by_test_id("state").wait_for()
    page.click("nav >> text=Notifications")
    page.evaluate("window.__marker = 'no reload'")
    succeeded = page.get_by_test_id("notification").filter(
        has_text="Deletion of AWSServiceRoleForECS in acme-prod succeeded"
    )
    succeeded.wait_for(timeout=30_000)
    assert page.evaluate("window.__marker") == "no reload"

    page.goto(f"/roles/{role.pk}/")
    assert "deleted" in page.locator("h1 .pill").inner_text()
    page.goto(f"/deletions/{deletion.pk}/")
    attempts = page.get_by_test_id("attempt")
    assert attempts.count() == 2
    assert "FAILED" in attempts.nth(0).inner_text()
    assert "SUCCEEDED" in attempts.nth(1).inner_text()
    browser.screenshot("deletion-detail")
    calls = emulator.control.calls()["operations"]
    assert calls["iam:DeleteServiceLinkedRole"] == 2

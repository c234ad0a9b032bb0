"""Clean up what blocks AWSServiceRoleForECS in prod, then delete it: alice and bob, in Chromium."""

import pytest

from roles.models import CleanupPlan, DeletionRequest, ServiceLinkedRole, SyncRun
from tests.conftest import Browser
from tests.support.sync import sync_by_worker

pytestmark = [pytest.mark.browser, pytest.mark.worker]

REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2"]


def test_alice_plans_bob_approves_the_cleanup_runs_and_the_role_is_deleted(
    browser, chromium, live_server, operator, approver, emulator, worker, demo_accounts, settings
):
    settings.ROLECALL_REQUIRE_APPROVAL = True
    prod = demo_accounts["acme-prod"]
    prod.regions = REGIONS
    prod.save(update_fields=["regions"])
    # The worker is running: it takes the sync (running it here too would race it).
    assert sync_by_worker(prod).status == SyncRun.Status.SUCCEEDED
    role = ServiceLinkedRole.objects.get(account=prod, name="AWSServiceRoleForECS")
    emulator.control.set_latency(20)  # slow enough to watch the progress move

    alice = browser.page
    browser.login("alice")
    alice.goto(f"/roles/{role.pk}/")
    alice.get_by_test_id("plan-cleanup").click()
    alice.wait_for_selector("[data-testid=cleanup][data-state=planned]")
    assert "Steps: 0 / 36" in alice.get_by_test_id("progress").inner_text()
    regions = alice.get_by_test_id("cleanup-region")
    assert sorted(regions.nth(i).get_attribute("data-region") for i in range(3)) == sorted(REGIONS)
    assert "5 × UpdateService" in regions.filter(has_text="us-east-1").inner_text()
    assert alice.get_by_test_id("step").count() == 36
    browser.screenshot("cleanup-plan")
    ops = emulator.control.calls()["operations"]
    assert not any(op in ops for op in ("ecs:UpdateService", "ecs:DeleteService"))

    alice.fill("#id_confirm_account", "acme-prod")
    alice.get_by_test_id("execute").click()
    alice.get_by_test_id("approval").wait_for()
    assert "another approver must approve it" in alice.get_by_test_id("self").inner_text()
    plan = CleanupPlan.objects.get(role=role)
    assert plan.state == "awaiting_approval"

    bob_session = Browser(chromium, live_server.url)
    try:
        bob_session.login("bob")
        bob = bob_session.page
        bob.goto(f"/cleanups/{plan.pk}/")
        bob.fill("#id_comment", "Prod ECS was retired last quarter.")
        bob.get_by_test_id("approve").click()
        # The page polls: steps done / total per region, until every region is done.
        bob.wait_for_selector("[data-testid=cleanup][data-state=succeeded]", timeout=60_000)
        bob_session.screenshot("cleanup-done-bob")
    finally:
        bob_session.context.close()

    alice.reload()
    alice.get_by_test_id("delete-now").wait_for(timeout=30_000)
    assert "Steps: 36 / 36" in alice.get_by_test_id("progress").inner_text()
    for i in range(3):
        assert alice.get_by_test_id("cleanup-region").nth(i).get_attribute("data-state") == "done"
    browser.screenshot("cleanup-succeeded")
    plan.refresh_from_db()
    assert (plan.state, plan.approved_by) == ("succeeded", approver)

    # The deletion starts on the inventory read after the cleanup.
    settings.ROLECALL_REQUIRE_APPROVAL = False
    alice.get_by_test_id("delete-now").click()
    assert "Can be deleted now" in alice.get_by_test_id("verdict").inner_text()
    alice.fill("#id_confirm_name", "AWSServiceRoleForECS")
    alice.fill("#id_confirm_account", "acme-prod")
    alice.click("button.danger")
    alice.wait_for_selector("[data-testid=deletion][data-state=succeeded]", timeout=30_000)
    assert "Succeeded" in alice.get_by_test_id("state").inner_text()
    browser.screenshot("cleanup-then-deleted")
    deletion = DeletionRequest.objects.get(role=role)
    assert deletion.state == "succeeded"
    assert deletion.evidence["verdict"] == "ready"
    assert emulator.control.calls()["operations"]["iam:DeleteServiceLinkedRole"] == 1

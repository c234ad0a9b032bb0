"""Two people: alice requests, bob approves, the deletion runs in a real worker."""

import pytest

from roles.models import DeletionRequest, ServiceLinkedRole, SyncRun
from tests.conftest import Browser
from tests.support.sync import sync_by_worker

pytestmark = [pytest.mark.browser, pytest.mark.worker]


def test_alice_requests_bob_approves_and_the_deletion_runs(
    browser, chromium, live_server, operator, approver, emulator, worker, demo_accounts, settings
):
    settings.ROLECALL_REQUIRE_APPROVAL = True
    staging = demo_accounts["acme-staging"]
    staging.regions = ["us-east-1", "eu-west-1"]
    staging.save(update_fields=["regions"])
    assert sync_by_worker(staging).status == SyncRun.Status.SUCCEEDED
    role = ServiceLinkedRole.objects.get(account=staging, name="AWSServiceRoleForECS")

    alice = browser.page
    browser.login("alice")
    alice.goto(f"/roles/{role.pk}/delete/")
    alice.fill("#id_confirm_name", "AWSServiceRoleForECS")
    alice.click("button.danger")
    alice.get_by_test_id("approval").wait_for()
    assert "another approver must approve it" in alice.get_by_test_id("self").inner_text()
    assert alice.get_by_test_id("approve").count() == 0
    browser.screenshot("approval-waiting")
    deletion = DeletionRequest.objects.get(role=role)
    assert deletion.state == "awaiting_approval"

    bob_session = Browser(chromium, live_server.url)
    try:
        bob_session.login("bob")
        bob = bob_session.page
        assert bob.get_by_test_id("unread-badge").inner_text() == "1"
        bob.goto(f"/deletions/{deletion.pk}/")
        bob.fill("#id_comment", "Staging has no clusters; unused for six months.")
        bob.get_by_test_id("approve").click()
        bob.wait_for_selector("[data-testid=deletion][data-state=succeeded]", timeout=30_000)
        bob_session.screenshot("approval-done")
    finally:
        bob_session.context.close()

    alice.wait_for_selector("[data-testid=deletion][data-state=succeeded]", timeout=30_000)
    deletion.refresh_from_db()
    assert (deletion.state, deletion.approved_by) == ("succeeded", approver)
    assert emulator.control.calls()["operations"]["iam:DeleteServiceLinkedRole"] == 1

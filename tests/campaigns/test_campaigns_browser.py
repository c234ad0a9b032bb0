"""A retirement campaign in Chromium, as two people: alice drafts it from the roles
list's filter, takes one role out and asks for approval; bob types the confirmation
and approves; the page follows the run to the end without a reload.

No worker runs here: the run's steps are taken in this process, as the worker
would take them (tests/support/campaigns.py run_to_the_end), one at a time, while
the page polls."""

from __future__ import annotations

import csv
import io

import pytest
from django.utils import timezone

from roles.accounts.demo import AUDIT_ROLE, CHANGE_ROLE, EXTERNAL_ID
from roles.campaigns import run
from roles.campaigns.kind import confirmation
from roles.models import (
    Account,
    AuditEvent,
    Campaign,
    CampaignRole,
    DeletionRequest,
    ServiceLinkedRole,
)
from tests.conftest import Browser
from tests.support.campaigns import run_to_the_end
from tests.support.drive import drive_deletion
from tests.web.test_page_width_browser import fits

pytestmark = pytest.mark.browser

Row = CampaignRole.State
# Markup in the name: shown as typed, never as markup.
NAME = "Staging leftovers & <strays>"
SANDBOX = "333333333333"


@pytest.fixture
def staging(sync_demo, demo_accounts):
    """Staging, and the sandbox beside it: the sandbox has a ready role too, which a
    campaign drafted from staging's filter must leave out."""
    demo_accounts["acme-sandbox"] = Account.objects.create(
        name="acme-sandbox",
        aws_account_id=SANDBOX,
        role_arn=AUDIT_ROLE.format(account=SANDBOX),
        change_role_arn=CHANGE_ROLE.format(account=SANDBOX),
        external_id=EXTERNAL_ID,
    )
    accounts = sync_demo("acme-staging", "acme-sandbox")
    assert ServiceLinkedRole.objects.filter(account=accounts["acme-sandbox"], verdict="ready")
    return accounts["acme-staging"]


def progress(page) -> tuple[int, int]:
    bar = page.get_by_test_id("progress-bar")
    return int(bar.get_attribute("value")), int(bar.get_attribute("max"))


def test_alice_drafts_a_campaign_bob_approves_it_and_the_page_follows_the_run(
    browser, chromium, live_server, operator, approver, staging, emulator, settings
):
    settings.ROLECALL_CAMPAIGN_PER_ACCOUNT = 1  # one deletion at a time: the bar moves
    ready = set(
        ServiceLinkedRole.objects.filter(account=staging, verdict="ready").values_list(
            "name", flat=True
        )
    )
    assert len(ready) >= 3, ready

    # alice filters the roles to staging's ready ones and drafts a campaign of them.
    alice = browser.page
    browser.login("alice")
    alice.click("nav >> text=Roles")
    alice.select_option("#id_verdict", "ready")
    alice.fill("#id_account_q", "staging")
    suggestion = alice.get_by_test_id("account-suggestions").get_by_role(
        "link", name="acme-staging"
    )
    suggestion.click()
    alice.wait_for_url("**account_q=acme-staging**")
    assert alice.input_value("#id_verdict") == "ready"
    assert alice.get_by_test_id("role-count").inner_text() == f"{len(ready)} roles"
    browser.screenshot("campaign-roles-filter")
    draft = alice.get_by_test_id("draft-campaign")
    draft.locator("#campaign-name").fill(NAME)
    draft.locator("button[type=submit]").click()
    alice.wait_for_url("**/campaigns/*/")
    campaign = Campaign.objects.get()
    assert alice.url.endswith(f"/campaigns/{campaign.pk}/")
    assert campaign.selection == {"account": str(staging.pk), "verdict": "ready"}
    assert campaign.name == NAME
    assert alice.locator("h1").inner_text() == f"Campaign #{campaign.pk}: {NAME}"
    assert alice.get_by_test_id("state").inner_text() == "Draft"
    assert "Dry run:" in alice.get_by_test_id("dry-run").inner_text()
    rows = alice.get_by_test_id("campaign-role")
    names = [rows.nth(i).get_attribute("data-role") for i in range(rows.count())]
    assert sorted(names) == sorted(ready)
    assert {rows.nth(i).get_attribute("data-state") for i in range(rows.count())} == {"pending"}
    assert (
        f"{len(ready)} roles: 0 / {len(ready)} done"
        in alice.get_by_test_id("progress").inner_text()
    )

    # The dry run's CSV: every AWS call, in order, for each role.
    plan = alice.get_by_test_id("dry-run").get_by_role(
        "link", name="The AWS calls it would make (CSV)"
    )
    href = plan.get_attribute("href")
    assert href == f"/campaigns/{campaign.pk}/plan.csv"
    download = alice.request.get(href)
    assert download.ok
    steps = list(csv.DictReader(io.StringIO(download.text())))
    assert sorted(s["role_name"] for s in steps) == sorted(ready)
    browser.screenshot("campaign-draft")

    # alice takes one role out of the draft.
    removed = names[0]
    alice.get_by_label(f"Remove {removed}", exact=True).check()
    alice.get_by_test_id("remove").click()
    alice.get_by_text("1 role removed.").wait_for()
    kept = len(ready) - 1
    assert alice.get_by_test_id("campaign-role").count() == kept
    assert removed not in [rows.nth(i).get_attribute("data-role") for i in range(rows.count())]
    left_alone = alice.get_by_test_id("excluded")
    assert "Left alone (1)" in left_alone.inner_text()
    assert left_alone.get_by_test_id("excluded-role").get_attribute("data-state") == "removed"
    assert f"{removed} in acme-staging: Removed by alice." in left_alone.inner_text()
    assert "version 2" in alice.get_by_test_id("campaign").inner_text()

    # ... and asks for approval; she cannot approve it herself.
    alice.get_by_test_id("submit").click()
    alice.get_by_test_id("decision").wait_for()
    assert alice.get_by_test_id("state").inner_text() == "Awaiting Approval"
    assert "another approver must approve it" in alice.get_by_test_id("self").inner_text()
    assert alice.get_by_test_id("approve").count() == 0
    assert alice.get_by_test_id("confirmation").count() == 0
    browser.screenshot("campaign-waiting")
    campaign.refresh_from_db()
    assert (campaign.state, campaign.version, campaign.role_name) == (
        "awaiting_approval",
        2,
        f"{kept} roles",
    )
    phrase = confirmation(campaign)
    assert phrase == f"retire {kept} roles"

    bob_session = Browser(chromium, live_server.url)
    try:
        bob_session.login("bob")
        bob = bob_session.page
        assert bob.get_by_test_id("unread-badge").inner_text() == "1"
        # bob finds it in the campaigns list, the name shown as typed.
        bob.click("nav >> text=Campaigns")
        (listed,) = bob.get_by_test_id("campaign-row").all_inner_texts()
        assert listed.split("\t") == [
            f"#{campaign.pk}",
            NAME,
            f"{kept} roles",
            "Awaiting Approval",
            "alice",
            "",
            timezone.localtime(campaign.created).strftime("%Y-%m-%d %H:%M"),
        ]
        bob.get_by_test_id("campaign-row").get_by_role("link", name=NAME).click()
        bob.wait_for_url(f"**/campaigns/{campaign.pk}/")
        assert bob.get_by_test_id("confirmation").inner_text() == phrase
        # A wrong phrase is refused, said on the page, and nothing is approved.
        bob.fill("#id_typed", "retire them all")
        bob.fill("#id_comment", "Staging was rebuilt; these are leftovers.")
        bob.get_by_test_id("approve").click()
        bob.get_by_text(f"Type “{phrase}” to approve.").wait_for()
        assert bob.locator(".messages .error").all_inner_texts() == [f"Type “{phrase}” to approve."]
        bob_session.screenshot("campaign-refused")
        assert bob.get_by_test_id("state").inner_text() == "Awaiting Approval"
        campaign.refresh_from_db()
        assert (campaign.state, campaign.approved_by) == ("awaiting_approval", None)

        bob.fill("#id_typed", phrase)
        bob.fill("#id_comment", "Staging was rebuilt; these are leftovers.")
        bob.get_by_test_id("approve").click()
        bob.wait_for_selector("[data-testid=campaign][data-state=queued]")
        campaign.refresh_from_db()
        assert (campaign.state, campaign.approved_by) == ("queued", approver)
        assert "approved by bob" in bob.get_by_test_id("campaign").inner_text()
        assert (
            "Staging was rebuilt; these are leftovers."
            in bob.get_by_test_id("campaign").inner_text()
        )
        assert AuditEvent.objects.filter(action="campaign.approved", outcome="success").count() == 1
        # alice's page was waiting for the decision: it reloads by itself.
        alice.wait_for_selector("[data-testid=campaign][data-state=queued]")
        assert alice.get_by_test_id("self").count() == 0

        # The run, as the worker takes its steps; bob's page polls every 2 s and is
        # never reloaded. One role first: the page shows it deleting, then done.
        bob.evaluate("window.__marker = 'same page'")
        assert bob.get_by_test_id("state").inner_text() == "Queued"
        assert progress(bob) == (0, kept)
        assert run.advance(campaign.pk, task_id="test") == "running"
        (first,) = DeletionRequest.objects.filter(campaign=campaign).active()
        bob.wait_for_selector(
            f"[data-testid=campaign-role][data-role='{first.role_name}'][data-state=deleting]"
        )
        assert bob.get_by_test_id("state").inner_text() == "Running"
        assert drive_deletion(first).state == DeletionRequest.State.SUCCEEDED
        assert run.advance(campaign.pk, task_id="test") == "running"
        bob.wait_for_selector(
            f"[data-testid=campaign-role][data-role='{first.role_name}'][data-state=succeeded]"
        )
        assert progress(bob) == (1, kept)
        # The rest, to the end: the bar reaches the total, the page stops polling.
        assert run_to_the_end(campaign).state == Campaign.State.FINISHED
        bob.wait_for_selector("[data-testid=campaign][data-state=finished]")
        assert bob.evaluate("window.__marker") == "same page"
        assert bob.get_by_test_id("state").inner_text() == "Finished"
        assert progress(bob) == (kept, kept)
        assert f"{kept} roles: {kept} / {kept} done" in bob.get_by_test_id("progress").inner_text()
        assert bob.get_by_test_id("campaign").get_attribute("hx-trigger") is None
        rows = bob.get_by_test_id("campaign-role")
        assert rows.count() == kept
        assert {rows.nth(i).get_attribute("data-state") for i in range(kept)} == {"succeeded"}
        left_alone = bob.get_by_test_id("excluded")
        assert left_alone.get_by_test_id("excluded-role").count() == 1
        assert f"{removed} in acme-staging: Removed by alice." in left_alone.inner_text()
        # For docs/screenshots.md (copied to docs/screenshots/ by hand, as the others).
        bob_session.screenshot("campaign")
        fits(bob_session, "campaign")
    finally:
        bob_session.context.close()

    # alice's page follows the run as well, and links the report of every role.
    alice.wait_for_selector("[data-testid=campaign][data-state=finished]")
    report = alice.get_by_test_id("progress").get_by_role("link", name="Report JSON")
    outcomes = {
        r["role_name"]: r["outcome"] for r in alice.request.get(report.get_attribute("href")).json()
    }
    assert outcomes == {**{name: "succeeded" for name in ready - {removed}}, removed: "removed"}

    campaign.refresh_from_db()
    assert campaign.state == Campaign.State.FINISHED
    assert dict(campaign.roles.values_list("role_name", "state")) == {
        **{name: Row.SUCCEEDED for name in ready - {removed}},
        removed: Row.REMOVED,
    }
    assert emulator.control.calls()["operations"]["iam:DeleteServiceLinkedRole"] == kept
    assert dict(
        ServiceLinkedRole.objects.filter(account=staging, name__in=ready).values_list(
            "name", "state"
        )
    ) == {**{name: "deleted" for name in ready - {removed}}, removed: "present"}

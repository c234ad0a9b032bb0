"""Notifications outside the browser, set up in Chromium: the administrator adds a
webhook (its secret shown once) and sends it a test event, whose delivery shows in
the log; alice sends deletion outcomes to her email and to that webhook."""

from __future__ import annotations

import pytest

from roles.models import Delivery, NotificationRoute, Webhook
from roles.notifications import delivery
from tests.support.receivers import http_receiver, verify

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def demo_mode(settings):
    settings.ROLECALL_DEMO = True  # an http:// receiver on 127.0.0.1 (demo mode only)


def test_a_webhook_is_added_tested_and_chosen(browser, chromium, live_server, admin_user, operator):
    from tests.conftest import Browser

    with http_receiver() as receiver:
        browser.login("admin")
        browser.page.wait_for_url("**/")
        browser.page.goto(f"{live_server.url}/webhooks/add/")
        browser.page.fill("#id_name", "ops-chat")
        browser.page.fill("#id_url", receiver.url)
        browser.page.get_by_role("button", name="Add").click()
        secret = browser.page.get_by_test_id("webhook-secret").inner_text()
        hook = Webhook.objects.get()
        assert secret == hook.secret and secret.startswith("whsec_")
        browser.page.get_by_role("link", name="Done").click()
        assert secret not in browser.page.content()
        browser.page.get_by_role("button", name="Send a test event").click()
        sent = Delivery.objects.get(webhook=hook)
        # No worker runs here: the task's own step, in this process.
        assert delivery.deliver(sent.pk) == Delivery.State.DELIVERED
        (received,) = receiver.requests
        assert verify(secret, received)
        browser.page.reload()
        log = browser.page.get_by_test_id("delivery-log").inner_text()
        assert "200" in log and "delivered" in log.lower()
        browser.screenshot("webhook")

    operator.email = "alice@example.com"
    operator.save(update_fields=["email"])
    alice = Browser(chromium, live_server.url)
    try:
        alice.login("alice")
        alice.page.wait_for_url("**/")
        alice.page.get_by_role("link", name="Settings").click()
        alice.page.get_by_label("Deletion outcome by email").check()
        alice.page.get_by_label("Deletion outcome to ops-chat").check()
        alice.page.get_by_role("button", name="Save").click()
        alice.page.get_by_label("Deletion outcome to ops-chat").wait_for()
        assert alice.page.get_by_label("Deletion outcome to ops-chat").is_checked()
        route = NotificationRoute.objects.get(user=operator, kind="deletion_outcome")
        assert route.email and list(route.webhooks.all()) == [hook]
        alice.screenshot("notification-settings")
    finally:
        alice.context.close()

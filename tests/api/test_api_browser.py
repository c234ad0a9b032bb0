"""The API in Chromium: a token made on its page works at once, and the reference
page renders from our own static files under the Content-Security-Policy."""

from __future__ import annotations

import pytest
from django.test import Client

from roles.models import ApiToken

pytestmark = pytest.mark.browser


def test_alice_makes_a_token_sees_it_once_and_it_works(browser, operator):
    browser.login("alice")
    browser.page.wait_for_url("**/")
    browser.page.get_by_role("link", name="Settings").click()
    browser.page.get_by_role("link", name="API tokens").click()
    browser.page.fill("#id_name", "ticket-bot")
    browser.page.select_option("#id_scope", "read")
    browser.page.get_by_role("button", name="Create token").click()
    token = browser.page.get_by_test_id("token-value").inner_text()
    row = ApiToken.objects.get()
    assert token.startswith(f"rc_{row.prefix}_") and row.scope == "read"
    api = Client(headers={"authorization": f"Bearer {token}"})
    assert api.get("/api/v1/roles/").status_code == 200
    browser.screenshot("api-tokens")
    browser.page.reload()
    assert token not in browser.page.content()


def test_the_reference_page_lists_the_operations_without_a_csp_violation(browser, viewer):
    refused: list[str] = []
    browser.page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    asked: list[str] = []
    browser.page.on("request", lambda request: asked.append(request.url))
    browser.login("carol")
    browser.page.wait_for_url("**/")
    base = browser.page.url.rstrip("/")
    browser.page.goto(f"{base}/api/v1/docs/")
    browser.page.get_by_text("/api/v1/roles/{id}/deletion/").first.wait_for()
    assert browser.page.get_by_text("rolecall API").first.is_visible()
    assert refused == [], refused
    assert any("/static/drf_spectacular_sidecar/" in url for url in asked)
    assert [url for url in asked if not url.startswith(base)] == []
    browser.screenshot("api-reference")

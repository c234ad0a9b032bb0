import pytest

pytestmark = pytest.mark.browser


def test_alice_logs_in_and_sees_the_overview(browser, operator):
    browser.login("alice")
    browser.page.wait_for_url("**/")
    assert browser.page.locator("h1").inner_text() == "Overview"
    assert browser.page.get_by_test_id("username").inner_text() == "alice"
    browser.screenshot("overview")


def test_wrong_password_shows_an_error_and_no_stack_trace(browser, operator):
    browser.page.goto("/login/")
    browser.screenshot("login")
    browser.login("alice", "wrong password")
    alert = browser.page.get_by_role("alert")
    assert "correct username and password" in alert.inner_text()
    content = browser.page.content()
    assert "Traceback" not in content
    assert browser.page.url.endswith("/login/")
    browser.screenshot("login-error")


def test_anonymous_visitor_is_sent_to_login(browser, db):
    browser.page.goto("/roles/")
    assert "/login/?next=/roles/" in browser.page.url

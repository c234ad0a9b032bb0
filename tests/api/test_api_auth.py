"""/api/v1/: who may call it, with what, and how often."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from roles.access import groups
from roles.models import ApiToken, AuditEvent
from tests.support.api import ApiClient, token_for

ROLES = "/api/v1/roles/"


@pytest.mark.django_db
def test_it_answers_401_in_json_without_credentials():
    response = Client().get(ROLES)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == 'Bearer realm="rolecall"'


@pytest.mark.django_db
def test_it_refuses_a_forged_token_without_naming_anyone(operator):
    good = token_for(operator)
    forged = good.token[:-4] + ("AAAA" if not good.token.endswith("AAAA") else "BBBB")
    response = ApiClient(forged).get(ROLES)
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"
    event = AuditEvent.objects.get(action="api_token.refused")
    assert (event.actor_name, event.details["reason"]) == ("alice", "wrong secret")
    assert ApiClient("rc_nothing_here").get(ROLES).status_code == 401
    assert ApiClient("not-even-close").get(ROLES).status_code == 401
    assert AuditEvent.objects.filter(action="api_token.refused").count() == 1


@pytest.mark.django_db
def test_revoked_and_expired_tokens_stop_working_and_are_audited(operator):
    revoked, expired = token_for(operator, name="a"), token_for(operator, name="b")
    assert revoked.get(ROLES).status_code == 200
    ApiToken.objects.filter(pk=revoked.row.pk).update(revoked_at=timezone.now())
    ApiToken.objects.filter(pk=expired.row.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert revoked.get(ROLES).status_code == 401
    assert expired.get(ROLES).status_code == 401
    reasons = set(
        AuditEvent.objects.filter(action="api_token.refused").values_list(
            "details__reason", flat=True
        )
    )
    assert reasons == {"revoked", "expired"}


@pytest.mark.django_db
def test_a_token_acts_with_its_users_groups_as_they_are_now(operator):
    api = token_for(operator)
    assert api.get(ROLES).status_code == 200
    operator.groups.clear()
    response = api.get(ROLES)
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert AuditEvent.objects.filter(action="auth.denied", actor_name="alice").exists()
    operator.groups.add(Group.objects.get_or_create(name=groups.VIEWER)[0])
    assert api.get(ROLES).status_code == 200
    operator.is_active = False
    operator.save(update_fields=["is_active"])
    assert api.get(ROLES).status_code == 401


@pytest.mark.django_db
def test_a_signed_in_outsider_is_refused(outsider):
    response = token_for(outsider).get(ROLES)
    assert response.status_code == 403
    assert AuditEvent.objects.filter(action="auth.denied", actor_name="mallory").exists()


@pytest.mark.django_db
def test_a_signed_in_outsiders_session_is_refused_in_json_and_audited(outsider):
    browser = Client()
    browser.force_login(outsider)
    refused = browser.get(ROLES)
    assert (refused.status_code, refused.json()["code"]) == (403, "permission_denied")
    unknown = browser.get("/api/v1/nothing/")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "not_found")
    assert AuditEvent.objects.filter(action="auth.denied", actor_name="mallory").exists()


@pytest.mark.django_db
def test_a_read_token_changes_nothing_whatever_its_user_may_do(operator, demo_accounts):
    account = demo_accounts["acme-staging"]
    api = token_for(operator, scope="read")
    response = api.post(f"/api/v1/accounts/{account.pk}/refresh/")
    assert response.status_code == 403
    assert "read-only token" in response.json()["message"]
    assert not account.syncs.exists()
    denied = AuditEvent.objects.get(action="auth.denied")
    assert denied.details["api_token"] == "ci"


@pytest.mark.django_db
def test_the_browser_session_works_and_its_writes_need_the_csrf_token(operator, demo_accounts):
    account = demo_accounts["acme-staging"]
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(operator)
    assert browser.get(ROLES).status_code == 200
    response = browser.post(f"/api/v1/accounts/{account.pk}/refresh/")
    assert response.status_code == 403
    assert "CSRF" in response.json()["message"]
    assert not account.syncs.exists()


@pytest.mark.django_db
def test_it_limits_the_rate_per_token_with_retry_after(operator, settings):
    settings.ROLECALL_API_RATE = 3
    first, second = token_for(operator, name="one"), token_for(operator, name="two")
    assert [first.get(ROLES).status_code for _ in range(3)] == [200, 200, 200]
    limited = first.get(ROLES)
    assert limited.status_code == 429
    assert limited.json()["code"] == "throttled"
    assert 0 < int(limited["Retry-After"]) <= 60
    # Another token of the same user has its own count.
    assert second.get(ROLES).status_code == 200


@pytest.mark.django_db
def test_an_unknown_api_path_is_a_json_404(operator):
    api = token_for(operator)
    for path in ("/api/v1/nothing/", "/api/v2/roles/", "/api/v1/roles/999999/"):
        response = api.get(path)
        assert response.status_code == 404, path
        assert response.json()["code"] == "not_found"


@pytest.mark.django_db
def test_a_wrong_method_is_a_clear_error(operator):
    response = token_for(operator).client.delete(ROLES)
    assert (response.status_code, response.json()["code"]) == (405, "method_not_allowed")
    assert set(response["Allow"].split(", ")) == {"GET", "OPTIONS"}

"""Every API operation x every persona (and anonymous) x GET and POST, from the URL conf.

The pages' matrix (test_permissions.py) leaves the API's names to this one: the API
answers 401 in JSON where a page redirects to sign in. An operation missing from
RULES fails test_every_api_operation_has_a_rule.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import get_resolver, reverse

from roles.models import AuditEvent
from tests.access import test_permissions as pages
from tests.access.test_permissions import (
    APPROVER,
    MEMBER,
    NOBODY,
    OPERATOR,
    PERSONAS,
    cleanup_plan,
    url_names,
)
from tests.support.api import token_for
from tests.support.clients import signed_in_as

world = pages.world  # the pages' fixture: one of everything a URL can point at

RULES = {
    "api-overview": (MEMBER, NOBODY),
    "api-accounts": (MEMBER, NOBODY),
    "api-account": (MEMBER, NOBODY),
    "api-account-refresh": (NOBODY, OPERATOR),
    "api-roles": (MEMBER, NOBODY),
    "api-role": (MEMBER, NOBODY),
    "api-role-deletion": (NOBODY, OPERATOR),
    "api-deletions": (MEMBER, NOBODY),
    "api-deletion": (MEMBER, NOBODY),
    "api-deletion-retry": (NOBODY, OPERATOR),
    "api-deletion-approve": (NOBODY, APPROVER),
    "api-deletion-reject": (NOBODY, APPROVER),
    "api-cleanups": (MEMBER, NOBODY),
    "api-cleanup": (MEMBER, NOBODY),
    "api-cleanup-approve": (NOBODY, APPROVER),
    "api-cleanup-reject": (NOBODY, APPROVER),
    "api-campaigns": (MEMBER, NOBODY),
    "api-campaign": (MEMBER, NOBODY),
    "api-campaign-approve": (NOBODY, APPROVER),
    "api-campaign-reject": (NOBODY, APPROVER),
    "api-campaign-pause": (NOBODY, OPERATOR),
    "api-campaign-resume": (NOBODY, OPERATOR),
    "api-notifications": (MEMBER, NOBODY),
    "api-audit": (MEMBER, NOBODY),
    "api-schema": (MEMBER, NOBODY),
    "api-docs": (MEMBER, NOBODY),
}
NAMES = sorted(name for name in set(url_names()) if name.startswith("api-"))
# An allowed call without a body: a read answers 200, a refresh 202; a write is
# refused for its missing fields (400) or for the state the world's row is in (409).
ALLOWED = {200, 202, 400, 409}


def test_every_api_operation_has_a_rule():
    assert sorted(set(NAMES) ^ set(RULES)) == []


def takes_id(name: str) -> bool:
    (possibility, *_), *_ = get_resolver().reverse_dict.getlist(name)
    return bool(possibility[0][1])


def api_url(name: str, world: dict) -> str:
    rows = {
        "account": world["account"].pk,
        "role": world["role"].pk,
        "deletion": world["deletion"].pk,
        "campaign": world["campaign"].pk,
    }
    noun = name.split("-")[1]
    if noun == "cleanup":
        return reverse(name, args=[cleanup_plan(world).pk])
    return reverse(name, args=[rows[noun]] if takes_id(name) else [])


@pytest.mark.parametrize(
    "name, method, persona",
    [(n, m, p) for n in sorted(RULES) for m in ("get", "post") for p in PERSONAS],
)
def test_api_access(request, world, settings, name, method, persona):
    settings.ROLECALL_REQUIRE_APPROVAL = True
    rule = RULES[name][0 if method == "get" else 1]
    url = api_url(name, world)
    if persona == "anonymous":
        response = getattr(Client(), method)(url)
        if name == "api-docs":  # a page: the sign-in redirect
            assert response.status_code == 302
        else:
            assert (response.status_code, response.json()["code"]) == (401, "not_authenticated")
        return
    user = request.getfixturevalue("admin_user" if persona == "admin" else persona)
    # The reference page is for people in a browser (their session); the rest for tokens.
    caller = signed_in_as(user) if name == "api-docs" else token_for(user).client
    denied_before = AuditEvent.objects.filter(action="auth.denied").count()
    response = getattr(caller, method)(url, content_type="application/json")
    assert "no-store" in response.get("Cache-Control", ""), name
    if persona == "outsider":
        assert response.status_code == 403, (name, response.status_code)
        return
    if rule == NOBODY:
        assert response.status_code == 405, (name, method, response.status_code)
        return
    if rule == MEMBER or rule in PERSONAS[persona] or persona == "admin":
        assert response.status_code in ALLOWED, (name, method, persona, response.content[:300])
        return
    assert response.status_code == 403, (name, persona, response.status_code)
    assert response.json()["code"] == "permission_denied"
    assert AuditEvent.objects.filter(action="auth.denied").count() == denied_before + 1


@pytest.mark.parametrize("name", [n for n in sorted(RULES) if takes_id(n)])
def test_an_id_over_2_to_the_64_is_a_json_404(admin_user, world, name):
    api = token_for(admin_user)
    url = reverse(name, args=[2**64])
    response = api.get(url) if RULES[name][0] != NOBODY else api.post(url)
    assert (response.status_code, response.json()["code"]) == (404, "not_found"), name

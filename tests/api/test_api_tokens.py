"""/settings/tokens/: each user's own API tokens, shown once, stored hashed."""

import re
import time

import pytest

from roles.access.reauth import REAUTH_AT
from roles.models import ApiToken, AuditEvent
from tests.support.api import ApiClient, token_for
from tests.support.clients import signed_in_as

# The SQLite pass of .ci/run runs this module too (docs/testing.md).
pytestmark = pytest.mark.engine

PAGE = "/settings/tokens/"


def create(client, **fields):
    return client.post(PAGE, {"name": "soar", "scope": "change", "days": "30", **fields})


def shown(response) -> str:
    match = re.search(r'data-testid="token-value">(rc_[^<]+)<', response.content.decode())
    assert match, "the new token is shown"
    return match.group(1)


def test_a_new_token_is_shown_once_and_stored_only_as_a_hash(operator_client, operator):
    response = create(operator_client)
    assert response.status_code == 201
    token = shown(response)
    row = ApiToken.objects.get()
    assert (row.user, row.name, row.scope) == (operator, "soar", "change")
    assert token not in str(list(ApiToken.objects.values()))
    assert token.split("_")[1] == row.prefix
    later = operator_client.get(PAGE).content.decode()
    assert token not in later and f"rc_{row.prefix}_" in later
    assert ApiClient(token).get("/api/v1/roles/").status_code == 200
    event = AuditEvent.objects.get(action="api_token.created")
    assert (event.actor_name, event.details["scope"], event.details["api_token"]) == (
        "alice",
        "change",
        "soar",
    )
    assert token not in str(event.details)


def test_creating_one_needs_a_recent_password(operator_client):
    session = operator_client.session
    session[REAUTH_AT] = time.time() - 11 * 60
    session.save()
    page = operator_client.get(PAGE).content.decode()
    assert 'data-testid="reauth-first"' in page and "Create token" not in page
    response = create(operator_client)
    assert response.status_code == 302 and response["Location"].startswith("/reauth/")
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize(
    "fields, error",
    [
        ({"name": ""}, "name"),
        ({"scope": "admin"}, "scope"),
        ({"days": "0"}, "days"),
        ({"days": "366"}, "days"),
        ({"days": "soon"}, "days"),
    ],
)
def test_bad_input_is_a_form_error(operator_client, fields, error):
    response = create(operator_client, **fields)
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert not ApiToken.objects.exists()


def test_a_second_live_token_of_the_same_name_is_refused(operator_client):
    assert create(operator_client).status_code == 201
    again = create(operator_client)
    assert again.status_code == 400
    assert "already have a live token of that name" in again.content.decode()
    assert ApiToken.objects.count() == 1


def test_revoking_stops_the_token_and_only_its_owner_may(operator, viewer):
    api = token_for(operator)
    mine, theirs = signed_in_as(operator), signed_in_as(viewer)
    assert theirs.post(f"/settings/tokens/{api.row.pk}/revoke/").status_code == 404
    assert api.get("/api/v1/roles/").status_code == 200
    assert mine.post(f"/settings/tokens/{api.row.pk}/revoke/").status_code == 302
    assert api.get("/api/v1/roles/").status_code == 401
    assert mine.post(f"/settings/tokens/{api.row.pk}/revoke/").status_code == 302
    assert AuditEvent.objects.filter(action="api_token.revoked").count() == 1
    assert theirs.get(PAGE).content.decode().count("rc_") == 0


def test_revoking_is_a_post(operator):
    api = token_for(operator)
    assert signed_in_as(operator).get(f"/settings/tokens/{api.row.pk}/revoke/").status_code == 405

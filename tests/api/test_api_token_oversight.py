"""/settings/tokens/all/: administrators see every live API token and revoke any of
them (a leaked token is stopped without disabling its user); nobody else can."""

from datetime import timedelta

import pytest
from django.utils import timezone

from roles.models import ApiToken, AuditEvent, Notification
from tests.conftest import make_user
from tests.support.api import token_for
from tests.support.clients import signed_in_as

ALL = "/settings/tokens/all/"


def revoke(client, row):
    return client.post(f"/settings/tokens/{row.pk}/revoke/")


def test_an_administrator_sees_every_live_token_of_every_user_and_no_secret(
    admin_user, operator, viewer
):
    mine = token_for(operator, name="soar")
    theirs = token_for(viewer, name="<script>alert(1)</script>", scope="read")
    gone = token_for(operator, name="old")
    gone.row.revoke(by=operator)
    token_for(viewer, name="lapsed", days=1)
    ApiToken.objects.filter(name="lapsed").update(expires_at=timezone.now() - timedelta(hours=1))
    viewer.is_active = False
    viewer.save(update_fields=["is_active"])

    response = signed_in_as(admin_user).get(ALL)
    assert response.status_code == 200
    html = response.content.decode()
    assert [t.pk for t in response.context["page"]] == [theirs.row.pk, mine.row.pk]
    assert f"rc_{mine.row.prefix}_" in html and f"rc_{theirs.row.prefix}_" in html
    assert mine.token not in html and theirs.token not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert" not in html
    assert "(disabled: the token answers 401)" in html
    assert "old" not in [t.name for t in response.context["page"]]


def test_the_list_reads_the_same_queries_for_two_tokens_or_sixty(
    admin_user, django_assert_max_num_queries
):
    client = signed_in_as(admin_user)
    for i in range(2):
        token_for(make_user(f"user{i}", "viewer"), name="t")
    client.get(ALL)
    with django_assert_max_num_queries(20) as few:
        assert client.get(ALL).status_code == 200
    for i in range(2, 60):
        token_for(make_user(f"user{i}", "viewer"), name="t")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(ALL)
    assert len(response.context["page"]) == 50
    assert client.get(ALL, {"page": "2"}).context["page"].number == 2
    assert client.get(ALL, {"page": "x"}).status_code == 400


def test_an_administrator_revokes_a_users_leaked_token_and_its_owner_is_told_who(
    admin_user, operator
):
    leaked, kept = token_for(operator, name="leaked"), token_for(operator, name="kept")
    assert leaked.get("/api/v1/roles/").status_code == 200

    response = revoke(signed_in_as(admin_user), leaked.row)
    assert (response.status_code, response["Location"]) == (302, ALL)
    assert leaked.get("/api/v1/roles/").status_code == 401
    assert kept.get("/api/v1/roles/").status_code == 200  # the user is not disabled
    event = AuditEvent.objects.get(action="api_token.revoked")
    assert event.actor_name == "admin"
    assert event.details == {"api_token": "leaked", "prefix": leaked.row.prefix, "owner": "alice"}
    page = signed_in_as(operator).get("/settings/tokens/").content.decode()
    assert "by admin (administrator)" in page
    told = Notification.objects.get()
    assert (told.user, told.kind, told.link) == (operator, "api_token_revoked", "/settings/tokens/")
    assert told.title == "Your API token leaked was revoked by admin"


@pytest.mark.parametrize("persona", ["operator", "approver", "viewer"])
def test_attack_no_one_else_lists_or_revokes_another_users_token(request, persona, admin_user):
    user = request.getfixturevalue(persona)
    target = token_for(admin_user, name="automation")
    client = signed_in_as(user)
    assert client.get(ALL).status_code == 403
    assert revoke(client, target.row).status_code == 404
    assert target.get("/api/v1/roles/").status_code == 200
    assert AuditEvent.objects.filter(action="api_token.revoked").count() == 0
    denied = AuditEvent.objects.get(action="auth.denied")
    assert (denied.actor_name, denied.details["attempted"]) == (user.username, "api_token.listed")


def test_attack_an_administrator_demoted_with_the_page_still_open(operator, approver):
    """Bob is an approver and an administrator; the page is open when he is demoted."""
    target = token_for(operator)
    approver.is_superuser = True
    approver.save(update_fields=["is_superuser"])
    client = signed_in_as(approver)
    assert f"/settings/tokens/{target.row.pk}/revoke/" in client.get(ALL).content.decode()
    approver.is_superuser = False
    approver.save(update_fields=["is_superuser"])
    assert revoke(client, target.row).status_code == 404  # the stale form
    assert target.get("/api/v1/roles/").status_code == 200
    assert not AuditEvent.objects.filter(action="api_token.revoked").exists()


def test_attack_revoked_twice_it_is_revoked_once_by_the_first(admin_user, operator):
    target = token_for(operator)
    assert revoke(signed_in_as(operator), target.row).status_code == 302
    assert revoke(signed_in_as(admin_user), target.row).status_code == 302
    target.row.refresh_from_db()
    assert target.row.revoked_by == operator
    events = AuditEvent.objects.filter(action="api_token.revoked")
    assert [(e.actor_name, e.details) for e in events] == [
        ("alice", {"api_token": "ci", "prefix": target.row.prefix})
    ]
    assert not Notification.objects.exists()  # nobody tells alice of her own revoking

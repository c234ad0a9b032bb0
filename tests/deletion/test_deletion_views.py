"""/roles/<id>/delete/, /deletions/, retry, and who may use them."""

import pytest
from django.urls import reverse

from roles.models import AuditEvent, DeletionRequest, ServiceLinkedRole
from tests.support.drive import drive_deletion

# The SQLite pass of .ci/run runs this module too (docs/testing.md).
pytestmark = pytest.mark.engine


@pytest.fixture
def synced(sync_demo):
    """Only the accounts a deletion here is asked for in."""
    return sync_demo("acme-prod", "acme-staging")


def ecs(account_name: str) -> ServiceLinkedRole:
    return ServiceLinkedRole.objects.get(account__name=account_name, name="AWSServiceRoleForECS")


def test_confirmation_shows_the_evidence_and_warns_about_blockers(operator_client, synced):
    role = ecs("acme-prod")
    response = operator_client.get(reverse("role-delete", args=[role.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Blocked in 3 regions." in html
    assert "AWS is expected to refuse this deletion" in html
    # The demo's prod ECS role was last used in a known region; the page says which.
    assert role.last_used_at is not None and role.last_used_region
    used = role.last_used_at.strftime("%Y-%m-%d %H:%M")
    assert f"<strong>Last activity:</strong> {used} (" in html
    assert f"ago) in {role.last_used_region}." in html
    assert "RoleUsageList" in html


def test_no_warning_when_nothing_blocks(operator_client, synced):
    html = operator_client.get(
        reverse("role-delete", args=[ecs("acme-staging").pk])
    ).content.decode()
    assert "Can be deleted now" in html
    assert "AWS is expected to refuse" not in html


def test_it_refuses_delete_without_the_exact_role_name(operator_client, synced):
    role = ecs("acme-staging")
    for typed in ["", "awsservicerolefor ecs", "AWSServiceRoleForECS ", "AWSServiceRoleForRDS"]:
        response = operator_client.post(
            reverse("role-delete", args=[role.pk]), {"confirm_name": typed}
        )
        assert response.status_code == 400
    assert "does not match the role name exactly" in response.content.decode()
    assert not DeletionRequest.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="deletion.").exists()


def test_the_right_name_creates_one_request_and_shows_it(operator_client, synced):
    role = ecs("acme-staging")
    response = operator_client.post(
        reverse("role-delete", args=[role.pk]), {"confirm_name": role.name}
    )
    deletion = DeletionRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("deletion-detail", args=[deletion.pk])
    assert (deletion.state, deletion.requested_by_name) == ("queued", "alice")
    assert deletion.evidence["verdict"] == "ready"
    assert list(
        AuditEvent.objects.filter(action__startswith="deletion.")
        .order_by("seq")
        .values_list("action", flat=True)
    ) == ["deletion.requested", "deletion.confirmed"]
    again = operator_client.post(
        reverse("role-delete", args=[role.pk]), {"confirm_name": role.name}
    )
    assert again["Location"] == reverse("deletion-detail", args=[deletion.pk])
    assert DeletionRequest.objects.count() == 1


def test_a_role_outside_aws_service_role_is_never_offered_and_refused(operator_client, synced):
    role = ecs("acme-staging")
    ServiceLinkedRole.objects.filter(pk=role.pk).update(path="/custom/")
    page = operator_client.get(reverse("role-detail", args=[role.pk])).content.decode()
    assert 'data-testid="delete"' not in page
    response = operator_client.post(
        reverse("role-delete", args=[role.pk]), {"confirm_name": role.name}
    )
    assert response.status_code == 409
    assert "Only service-linked roles" in response.content.decode()
    assert not DeletionRequest.objects.exists()


def test_deletion_page_shows_attempts_and_what_changed(operator_client, synced, operator, emulator):
    from roles.deletion.service import request_deletion, retry_deletion

    emulator.control.set_deletion(partial_usage=True)
    deletion = drive_deletion(request_deletion(ecs("acme-prod"), user=operator).request)
    emulator.control.set_deletion(partial_usage=False)
    retry_deletion(deletion, user=operator)
    drive_deletion(deletion)
    html = operator_client.get(reverse("deletion-detail", args=[deletion.pk])).content.decode()
    assert html.count('data-testid="attempt"') == 2
    assert html.count('data-testid="usage-region"') == 1 + 3
    assert '<span class="new">new</span>' in html  # regions AWS had not reported before


def test_deletions_list_filters_by_state_and_account(operator_client, synced, operator, emulator):
    from roles.deletion.service import request_deletion

    drive_deletion(request_deletion(ecs("acme-staging"), user=operator).request)
    request_deletion(ecs("acme-prod"), user=operator)

    def rows(params):
        return [
            d.account.name
            for d in operator_client.get(reverse("deletions"), params).context["page"]
        ]

    assert rows({"state": "succeeded"}) == ["acme-staging"]
    assert rows({"account": synced["acme-prod"].pk}) == ["acme-prod"]
    assert operator_client.get(reverse("deletions"), {"state": "bogus"}).status_code == 400


def test_retry_starts_a_new_attempt_on_the_same_request(
    operator_client, synced, operator, emulator
):
    from roles.deletion.service import request_deletion

    deletion = drive_deletion(request_deletion(ecs("acme-prod"), user=operator).request)
    url = reverse("deletion-retry", args=[deletion.pk])
    names = {"confirm_name": "AWSServiceRoleForECS", "confirm_account": "acme-prod"}
    response = operator_client.post(url, names)
    assert response.status_code == 302
    deletion.refresh_from_db()
    assert deletion.state == "queued"
    assert deletion.attempts.count() == 2
    assert deletion.attempts.get(number=2).requested_by == operator
    event = AuditEvent.objects.get(action="deletion.retried")
    assert event.details["confirmation"] == "role name typed" and event.actor == operator


def test_retry_needs_the_typed_names_like_the_first_confirmation(operator_client, synced, operator):
    from roles.deletion.service import request_deletion

    deletion = drive_deletion(request_deletion(ecs("acme-prod"), user=operator).request)
    url = reverse("deletion-retry", args=[deletion.pk])
    for posted in ({}, {"confirm_name": "AWSServiceRoleForECS"}, {"confirm_name": "x"}):
        response = operator_client.post(url, posted)
        assert response.status_code == 400
        assert "Type the role name to confirm" in response.content.decode()
    deletion.refresh_from_db()
    assert deletion.state == "failed" and deletion.attempts.count() == 1
    assert not AuditEvent.objects.filter(action="deletion.retried").exists()


@pytest.mark.parametrize(
    "method, name",
    [("get", "role-delete"), ("post", "role-delete"), ("post", "deletion-retry")],
)
def test_viewers_get_403_on_every_deletion_endpoint(viewer_client, synced, operator, method, name):
    from roles.deletion.service import request_deletion

    deletion = request_deletion(ecs("acme-prod"), user=operator).request
    pk = ecs("acme-staging").pk if name == "role-delete" else deletion.pk
    response = getattr(viewer_client, method)(
        reverse(name, args=[pk]), {"confirm_name": "AWSServiceRoleForECS"}
    )
    assert response.status_code == 403
    assert b"You do not have permission" in response.content
    denied = AuditEvent.objects.get(action="auth.denied")
    assert (denied.actor_name, denied.outcome) == ("carol", "denied")
    assert DeletionRequest.objects.count() == 1


def test_get_on_a_post_endpoint_is_405(operator_client, synced, operator):
    from roles.deletion.service import request_deletion

    deletion = request_deletion(ecs("acme-prod"), user=operator).request
    assert operator_client.get(reverse("deletion-retry", args=[deletion.pk])).status_code == 405
    assert operator_client.get(reverse("notifications-read-all")).status_code == 405


def test_post_without_csrf_token_is_refused(db, operator, synced):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(operator)
    role = ecs("acme-staging")
    response = client.post(reverse("role-delete", args=[role.pk]), {"confirm_name": role.name})
    assert response.status_code == 403
    assert not DeletionRequest.objects.exists()


def test_the_page_and_the_api_name_the_requester_as_cloudtrail_does(synced, emulator, client):
    """The source identity the change session carries is shown where the deletion is:
    on its page and in the API, the very value AWS recorded on each call it made."""
    from roles.deletion.service import request_deletion
    from tests.conftest import make_user
    from tests.support.api import token_for

    jose = make_user("jösé", "operator")
    role = ServiceLinkedRole.objects.get(
        account__name="acme-staging", name="AWSServiceRoleForElasticLoadBalancing"
    )
    deletion = request_deletion(role, user=jose).request
    emulator.control.clear_trail()
    assert drive_deletion(deletion).state == "succeeded"
    calls = emulator.control.trail(operation="iam:DeleteServiceLinkedRole")
    assert [c["source_identity"] for c in calls] == [f"j-s-.{jose.pk}"]
    client.force_login(jose)
    page = client.get(reverse("deletion-detail", args=[deletion.pk])).content.decode()
    assert f'<code data-testid="source-identity">j-s-.{jose.pk}</code>' in page
    answer = token_for(jose, scope="read").get(f"/api/v1/deletions/{deletion.pk}/")
    assert answer.json()["source_identity"] == f"j-s-.{jose.pk}"

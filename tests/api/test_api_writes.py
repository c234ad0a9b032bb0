"""Writes through /api/v1/: the pages' rails, walked around from the API."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group

from roles.access import groups
from roles.models import AuditEvent, DeletionRequest, ServiceLinkedRole
from tests.support.api import token_for
from tests.support.drive import drive_deletion

STALE = timedelta(minutes=11)  # older than ROLECALL_REAUTH_MINUTES (10)


@pytest.fixture
def synced(sync_demo, settings):
    settings.ROLECALL_REQUIRE_APPROVAL = True
    return sync_demo("acme-prod", "acme-staging")


def ecs(account_name: str) -> ServiceLinkedRole:
    return ServiceLinkedRole.objects.get(account__name=account_name, name="AWSServiceRoleForECS")


def ask(api, role, **body):
    return api.post(f"/api/v1/roles/{role.pk}/deletion/", {"confirm": role.name, **body})


def decide(api, deletion, verb="approve", **body):
    fields = {"comment": "reviewed", "version": deletion.evidence_version, **body}
    return api.post(f"/api/v1/deletions/{deletion.pk}/{verb}/", fields)


def test_it_requests_a_deletion_on_the_typed_name_and_audits_the_token(operator, synced):
    api, role = token_for(operator, name="soar"), ecs("acme-staging")
    response = ask(api, role)
    assert response.status_code == 201, response.json()
    deletion = DeletionRequest.objects.get()
    body = response.json()
    assert (body["id"], body["state"], body["requested_by_name"]) == (
        deletion.pk,
        "awaiting_approval",
        "alice",
    )
    assert response["Location"].endswith(f"/api/v1/deletions/{deletion.pk}/")
    assert body["evidence"]["verdict"] == "ready"
    events = AuditEvent.objects.filter(action__in=["deletion.requested", "deletion.confirmed"])
    assert {(e.actor_name, e.details["via"], e.details["api_token"]) for e in events} == {
        ("alice", "api", "soar")
    }


def test_a_wrong_or_missing_confirmation_is_a_400_and_nothing_is_asked(operator, synced):
    api, role = token_for(operator), ecs("acme-staging")
    for body in ({}, {"confirm": ""}, {"confirm": "awsservicerolefor ecs"}, {"confirm": 7}):
        response = api.post(f"/api/v1/roles/{role.pk}/deletion/", body)
        assert response.status_code == 400, body
        assert response.json()["code"] == "invalid"
        assert "confirm" in response.json()["errors"]
    malformed = api.client.post(
        f"/api/v1/roles/{role.pk}/deletion/", "{not json", content_type="application/json"
    )
    assert (malformed.status_code, malformed.json()["code"]) == (400, "parse_error")
    wrong_type = api.client.post(
        f"/api/v1/roles/{role.pk}/deletion/", "confirm=x", content_type="text/plain"
    )
    assert (wrong_type.status_code, wrong_type.json()["code"]) == (415, "unsupported_media_type")
    assert not DeletionRequest.objects.exists()


def test_a_production_account_needs_its_name_typed_too(operator, synced):
    api, role = token_for(operator), ecs("acme-prod")
    missing = ask(api, role)
    assert missing.status_code == 400
    assert "confirm_account" in missing.json()["errors"]
    assert ask(api, role, confirm_account="acme-prod").status_code == 201


def test_a_second_request_is_a_409_naming_the_first(operator, synced):
    api, role = token_for(operator), ecs("acme-staging")
    first = ask(api, role).json()
    again = ask(token_for(operator, name="other"), role)
    assert again.status_code == 409
    assert again.json()["code"] == "active_request_exists"
    assert again.json()["existing"].endswith(f"/api/v1/deletions/{first['id']}/")
    assert DeletionRequest.objects.count() == 1


def test_a_protected_role_is_refused(operator, synced, settings):
    settings.ROLECALL_PROTECTED_ROLES = ["AWSServiceRoleForE*"]
    response = ask(token_for(operator), ecs("acme-staging"))
    assert response.status_code == 409
    assert response.json()["code"] == "refused"
    assert "protected" in response.json()["message"].lower()
    assert not DeletionRequest.objects.exists()


def test_viewers_and_approvers_may_not_request(viewer, approver, synced):
    for user in (viewer, approver):
        response = ask(token_for(user), ecs("acme-staging"))
        assert response.status_code == 403
    assert AuditEvent.objects.filter(action="auth.denied").count() == 2
    assert not DeletionRequest.objects.exists()


def test_approving_needs_a_token_made_within_the_reauth_window(operator, approver, synced):
    ask(token_for(operator), ecs("acme-staging"))
    deletion = DeletionRequest.objects.get()
    old = token_for(approver, age=STALE)
    refused = decide(old, deletion)
    assert refused.status_code == 403
    assert refused.json()["code"] == "reauth_required"
    assert "created within the last 10 minutes" in refused.json()["message"]
    deletion.refresh_from_db()
    assert deletion.state == "awaiting_approval"
    denied = AuditEvent.objects.get(action="auth.denied", actor_name="bob")
    assert denied.details["reason"] == "reauthentication"
    assert denied.target_arn == deletion.role_arn
    assert decide(old, deletion, verb="reject").status_code == 403


def test_a_token_made_without_a_password_never_approves(operator, approver, synced):
    """manage.py api_token makes such tokens: however new, they are not fresh."""
    ask(token_for(operator), ecs("acme-staging"))
    deletion = DeletionRequest.objects.get()
    response = decide(token_for(approver, password_checked=False), deletion)
    assert (response.status_code, response.json()["code"]) == (403, "reauth_required")
    deletion.refresh_from_db()
    assert deletion.state == "awaiting_approval"


def test_an_approval_binds_to_the_evidence_version_reviewed(operator, approver, synced):
    ask(token_for(operator), ecs("acme-staging"))
    deletion = DeletionRequest.objects.get()
    api = token_for(approver)
    missing = api.post(f"/api/v1/deletions/{deletion.pk}/approve/", {"comment": "ok"})
    assert missing.status_code == 400 and "version" in missing.json()["errors"]
    other = decide(api, deletion, version=deletion.evidence_version + 1)
    assert other.status_code == 409
    deletion.refresh_from_db()
    assert deletion.state == "awaiting_approval"
    approved = decide(api, deletion)
    assert approved.status_code == 200, approved.json()
    assert approved.json()["state"] == "queued"
    refused, accepted = AuditEvent.objects.filter(action="deletion.approved").order_by("seq")
    assert (refused.outcome, accepted.outcome) == ("denied", "success")
    assert (accepted.actor_name, accepted.details["api_token"]) == ("bob", "ci")


def test_one_person_holding_both_roles_cannot_approve_their_own(operator, synced):
    operator.groups.add(Group.objects.get_or_create(name=groups.APPROVER)[0])
    api = token_for(operator)
    ask(api, ecs("acme-staging"))
    deletion = DeletionRequest.objects.get()
    response = decide(api, deletion)
    assert response.status_code == 409
    deletion.refresh_from_db()
    assert deletion.state == "awaiting_approval" and deletion.approved_by is None


def test_retry_then_approve_alone_is_refused(emulator, operator, approver, synced):
    """The retrier becomes a requester: an approver who retries cannot approve it."""
    approver.groups.add(Group.objects.get_or_create(name=groups.OPERATOR)[0])
    blocked = ecs("acme-prod")
    ask(token_for(operator), blocked, confirm_account="acme-prod")
    deletion = DeletionRequest.objects.get()
    assert decide(token_for(approver), deletion).status_code == 200
    deletion = drive_deletion(DeletionRequest.objects.get())
    assert deletion.state == "failed"  # ECS clusters block it
    api = token_for(approver, name="retry")
    retried = api.post(
        f"/api/v1/deletions/{deletion.pk}/retry/",
        {"confirm": blocked.name, "confirm_account": "acme-prod"},
    )
    assert retried.status_code == 200, retried.json()
    assert retried.json()["state"] == "awaiting_approval"
    deletion.refresh_from_db()
    alone = decide(api, deletion)
    assert alone.status_code == 409
    deletion.refresh_from_db()
    assert deletion.state == "awaiting_approval"
    retry_event = AuditEvent.objects.get(action="deletion.retried")
    assert retry_event.details["api_token"] == "retry"


def test_with_approval_off_the_request_itself_needs_a_fresh_token(operator, synced, settings):
    settings.ROLECALL_REQUIRE_APPROVAL = False
    role = ecs("acme-staging")
    refused = ask(token_for(operator, age=STALE), role)
    assert (refused.status_code, refused.json()["code"]) == (403, "reauth_required")
    assert not DeletionRequest.objects.exists()
    created = ask(token_for(operator, name="fresh"), role)
    assert created.status_code == 201 and created.json()["state"] == "queued"


def test_refresh_starts_one_sync_and_joins_it_after(operator, viewer, synced):
    account = synced["acme-staging"]
    api = token_for(operator)
    first = api.post(f"/api/v1/accounts/{account.pk}/refresh/")
    second = api.post(f"/api/v1/accounts/{account.pk}/refresh/")
    assert (first.status_code, first.json()["joined"]) == (202, False)
    assert (second.status_code, second.json()["joined"]) == (202, True)
    assert first.json()["id"] == second.json()["id"]
    assert token_for(viewer).post(f"/api/v1/accounts/{account.pk}/refresh/").status_code == 403
    event = AuditEvent.objects.filter(action="sync.started").latest("seq")
    assert (event.actor_name, event.details["api_token"]) == ("alice", "ci")
    assert event.details["sync_run"] == first.json()["id"]


def test_refresh_of_a_paused_account_is_a_409(operator, synced):
    account = synced["acme-staging"]
    type(account).objects.filter(pk=account.pk).update(paused="SUSPENDED")
    response = token_for(operator).post(f"/api/v1/accounts/{account.pk}/refresh/")
    assert (response.status_code, response.json()["code"]) == (409, "account_paused")
    assert not account.syncs.filter(status__in=["queued", "running"]).exists()

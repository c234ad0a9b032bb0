"""Attacks on the rails from the API side: a race of two requests, an account
re-pointed between an API approval and the worker, a session's stale password."""

import threading
import time

import pytest
from django.db import connection

from roles.access.reauth import REAUTH_AT
from roles.models import Account, DeletionRequest, ServiceLinkedRole
from tests.deletion.test_rails import delete_calls
from tests.support.api import token_for
from tests.support.clients import signed_in_as
from tests.support.drive import drive_deletion

STAGING, PROD = "222222222222", "111111111111"


@pytest.fixture
def synced(sync_demo, settings):
    settings.ROLECALL_REQUIRE_APPROVAL = True
    return sync_demo("acme-prod", "acme-staging")


def elb() -> ServiceLinkedRole:
    return ServiceLinkedRole.objects.get(
        account__aws_account_id=STAGING, name="AWSServiceRoleForElasticLoadBalancing"
    )


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_attack_two_requests_at_once_make_one_and_a_409(sync_demo, operator):
    sync_demo("acme-staging")
    role = elb()
    apis = [token_for(operator, name=f"t{n}") for n in range(2)]
    start, answers = threading.Barrier(2), []

    def ask(api):
        start.wait()
        try:
            answers.append(api.post(f"/api/v1/roles/{role.pk}/deletion/", {"confirm": role.name}))
        finally:
            connection.close()

    threads = [threading.Thread(target=ask, args=(api,)) for api in apis]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(a.status_code for a in answers) == [201, 409]
    (created,) = [a.json() for a in answers if a.status_code == 201]
    (conflict,) = [a.json() for a in answers if a.status_code == 409]
    assert conflict["existing"].endswith(f"/api/v1/deletions/{created['id']}/")
    assert DeletionRequest.objects.count() == 1


def test_attack_an_api_approval_does_not_follow_a_repointed_account(
    emulator, synced, operator, approver
):
    role = elb()
    asked = (
        token_for(operator)
        .post(f"/api/v1/roles/{role.pk}/deletion/", {"confirm": role.name})
        .json()
    )
    approved = token_for(approver).post(
        f"/api/v1/deletions/{asked['id']}/approve/",
        {"comment": "ok", "version": asked["evidence_version"]},
    )
    assert approved.status_code == 200
    Account.objects.filter(aws_account_id=STAGING).update(
        role_arn=f"arn:aws:iam::{PROD}:role/RolecallAudit"
    )
    deletion = drive_deletion(DeletionRequest.objects.get(pk=asked["id"]))
    assert deletion.state == "failed"
    assert deletion.attempts.get().error["code"] == "BindingChanged"
    assert delete_calls(emulator) == 0


def test_attack_a_session_with_a_stale_password_cannot_approve(synced, operator, approver):
    role = elb()
    asked = (
        token_for(operator)
        .post(f"/api/v1/roles/{role.pk}/deletion/", {"confirm": role.name})
        .json()
    )
    browser = signed_in_as(approver)
    session = browser.session
    session[REAUTH_AT] = time.time() - 11 * 60
    session.save()
    response = browser.post(
        f"/api/v1/deletions/{asked['id']}/approve/",
        {"comment": "ok", "version": asked["evidence_version"]},
        content_type="application/json",
    )
    assert (response.status_code, response.json()["code"]) == (403, "reauth_required")
    assert "password entered within the last 10 minutes" in response.json()["message"]
    assert DeletionRequest.objects.get(pk=asked["id"]).state == "awaiting_approval"

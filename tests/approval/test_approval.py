"""Two-person approval bound to evidence, the protected list, production accounts, re-auth."""

import subprocess
import sys
import time

import pytest
from django.urls import reverse
from django.utils import timezone

from roles.access.reauth import REAUTH_AT
from roles.deletion import worker
from roles.deletion.service import DeletionRefused, decide, request_deletion
from roles.models import AuditEvent, DeletionRequest, Notification, ProtectedRule, ServiceLinkedRole
from tests.conftest import PASSWORD, make_user
from tests.support.aws import client as aws_client
from tests.support.drive import drive_deletion
from tests.support.processes import production_env

STAGING, PROD = "222222222222", "111111111111"
DELETE = "iam:DeleteServiceLinkedRole"


@pytest.fixture(autouse=True)
def approval_on(settings):
    settings.ROLECALL_REQUIRE_APPROVAL = True


@pytest.fixture
def synced(sync_demo):
    """Only the accounts a request here is made in."""
    return sync_demo("acme-staging", "acme-prod")


def ecs(account_id: str) -> ServiceLinkedRole:
    return ServiceLinkedRole.objects.get(
        account__aws_account_id=account_id, name="AWSServiceRoleForECS"
    )


def delete_calls(emulator) -> int:
    return emulator.control.calls()["operations"].get(DELETE, 0)


def test_approval_is_on_by_default_in_production_settings():
    env = production_env(SECRET_KEY="k" * 50, ALLOWED_HOSTS="x")
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.ROLECALL_REQUIRE_APPROVAL, settings.PASSWORD_HASHERS[0])",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.split()
    assert out == ["True", "django.contrib.auth.hashers.Argon2PasswordHasher"]


def test_a_confirmed_request_waits_for_an_approver(emulator, synced, operator, approver):
    deletion = request_deletion(ecs(STAGING), user=operator).request
    assert deletion.state == "awaiting_approval" and deletion.approval_required
    assert drive_deletion(deletion).state == "awaiting_approval"
    assert delete_calls(emulator) == 0
    note = Notification.objects.get(user=approver)
    assert note.title == "Approval needed: delete AWSServiceRoleForECS in acme-staging"
    assert not Notification.objects.filter(user=operator).exists()


def test_an_approver_approves_and_the_deletion_runs(emulator, synced, operator, approver):
    deletion = request_deletion(ecs(STAGING), user=operator).request
    decide(
        deletion,
        user=approver,
        approve=True,
        version=deletion.evidence_version,
        comment="Unused since the migration",
    )
    deletion = drive_deletion(deletion)
    assert deletion.state == "succeeded"
    assert deletion.approved_by == approver
    event = AuditEvent.objects.get(action="deletion.approved")
    assert event.actor_name == "bob" and event.details["comment"] == "Unused since the migration"
    assert event.details["evidence"]["verdict"] == "ready"
    assert Notification.objects.filter(user=operator, title__contains="approved by bob").exists()
    assert delete_calls(emulator) == 1


def test_self_approval_is_refused(emulator, synced):
    both = make_user("dana", "operator")
    from django.contrib.auth.models import Group

    both.groups.add(Group.objects.get_or_create(name="approver")[0])
    deletion = request_deletion(ecs(STAGING), user=both).request
    with pytest.raises(DeletionRefused, match="another approver must decide"):
        decide(deletion, user=both, approve=True, version=deletion.evidence_version, comment="mine")
    deletion.refresh_from_db()
    assert deletion.state == "awaiting_approval"
    assert AuditEvent.objects.get(action="deletion.approved").outcome == "denied"


def test_reject_ends_the_request(emulator, synced, operator, approver):
    deletion = request_deletion(ecs(STAGING), user=operator).request
    decide(deletion, user=approver, approve=False, comment="Still needed by the batch team")
    deletion.refresh_from_db()
    assert (deletion.state, deletion.rejected_by) == ("rejected", approver)
    assert drive_deletion(deletion).state == "rejected"
    assert delete_calls(emulator) == 0
    assert Notification.objects.filter(user=operator, title__contains="rejected by bob").exists()


def test_approval_is_void_when_the_role_was_used_since(emulator, synced, operator, approver):
    deletion = request_deletion(ecs(STAGING), user=operator).request
    decide(deletion, user=approver, approve=True, version=deletion.evidence_version, comment="ok")
    emulator.control.set_role_last_used(
        STAGING, "AWSServiceRoleForECS", timezone.now().strftime("%Y-%m-%dT%H:%M:%SZ"), "eu-west-1"
    )
    worker.submit(deletion.pk)
    deletion.refresh_from_db()
    assert deletion.state == "awaiting_approval" and deletion.approved_by is None
    assert {c["field"] for c in deletion.voided_changes} == {"last_used_at", "last_used_region"}
    assert delete_calls(emulator) == 0
    voided = AuditEvent.objects.get(action="deletion.approval_voided")
    assert voided.details["approved_by"] == "bob"
    for user in (operator, approver):
        assert Notification.objects.filter(user=user, title__contains="voided").exists()
    # Approved again on the evidence as it now is, it goes through.
    decide(
        deletion,
        user=approver,
        approve=True,
        version=deletion.evidence_version,
        comment="Checked the new use: a health check",
    )
    assert drive_deletion(deletion).state == "succeeded"
    assert delete_calls(emulator) == 1


def test_approval_is_void_when_a_cluster_appeared(emulator, synced, operator, approver):
    deletion = request_deletion(ecs(STAGING), user=operator).request
    decide(deletion, user=approver, approve=True, version=deletion.evidence_version, comment="ok")
    arn = aws_client("ecs", STAGING, "eu-west-1").create_cluster(clusterName="surprise")["cluster"][
        "clusterArn"
    ]
    worker.submit(deletion.pk)
    deletion.refresh_from_db()
    assert deletion.state == "awaiting_approval"
    (change,) = deletion.voided_changes
    assert change["field"] == "blockers"
    assert change["approved"] == [] and change["now"] == [f"eu-west-1 {arn}"]
    assert delete_calls(emulator) == 0


def test_the_deletion_page_shows_the_difference(
    operator_client, emulator, synced, operator, approver
):
    deletion = request_deletion(ecs(STAGING), user=operator).request
    decide(deletion, user=approver, approve=True, version=deletion.evidence_version, comment="ok")
    aws_client("ecs", STAGING, "us-east-1").create_cluster(clusterName="surprise")
    worker.submit(deletion.pk)
    html = operator_client.get(reverse("deletion-detail", args=[deletion.pk])).content.decode()
    assert 'data-testid="voided"' in html and "cluster/surprise" in html
    assert "you cannot" not in html and "another approver must approve it" in html


class TestProtectedList:
    def test_a_protected_pattern_is_refused_at_creation(self, synced, operator, settings):
        settings.ROLECALL_PROTECTED_ROLES = ["AWSServiceRoleForE*"]
        with pytest.raises(DeletionRefused, match="Protected"):
            request_deletion(ecs(STAGING), user=operator)
        assert not DeletionRequest.objects.exists()
        assert AuditEvent.objects.get(action="deletion.refused").outcome == "denied"

    def test_a_protected_account_is_refused(self, synced, operator_client):
        ProtectedRule.objects.create(kind="account", pattern=STAGING, reason="payments ledger")
        response = operator_client.get(reverse("role-delete", args=[ecs(STAGING).pk]))
        assert response.status_code == 409
        assert "payments ledger" in response.content.decode()

    def test_protection_added_after_approval_stops_the_submission(
        self, emulator, synced, operator, approver
    ):
        deletion = request_deletion(ecs(STAGING), user=operator).request
        decide(
            deletion, user=approver, approve=True, version=deletion.evidence_version, comment="ok"
        )
        ProtectedRule.objects.create(
            kind="role", pattern="*/AWSServiceRoleForECS", reason="platform"
        )
        deletion = drive_deletion(deletion)
        assert deletion.state == "failed"
        assert deletion.attempts.get().error["code"] == "Protected"
        assert delete_calls(emulator) == 0
        assert AuditEvent.objects.filter(action="deletion.refused", outcome="denied").count() == 1

    def test_admin_page_changes_are_audited(self, admin_client):
        admin_client.post(
            "/admin/roles/protectedrule/add/",
            {"kind": "account", "pattern": PROD, "reason": "production"},
        )
        assert ProtectedRule.objects.get().pattern == PROD
        event = AuditEvent.objects.get(action="protection.changed")
        assert event.details["op"] == "added" and event.actor_name == "admin"


class TestConfirmation:
    def test_a_production_account_also_needs_its_name(self, operator_client, synced):
        url = reverse("role-delete", args=[ecs(PROD).pk])
        page = operator_client.get(url).content.decode()
        assert "Production account: type the account name" in page
        wrong = operator_client.post(
            url, {"confirm_name": "AWSServiceRoleForECS", "confirm_account": "acme"}
        )
        assert wrong.status_code == 400
        assert "does not match the account name exactly" in wrong.content.decode()
        assert not DeletionRequest.objects.exists()
        right = operator_client.post(
            url, {"confirm_name": "AWSServiceRoleForECS", "confirm_account": "acme-prod"}
        )
        assert right.status_code == 302
        assert DeletionRequest.objects.get().state == "awaiting_approval"

    def test_other_accounts_do_not_ask_for_it(self, operator_client, synced):
        page = operator_client.get(reverse("role-delete", args=[ecs(STAGING).pk])).content.decode()
        assert "Production account" not in page


class TestReauthentication:
    def _stale(self, client):
        session = client.session
        session[REAUTH_AT] = time.time() - 11 * 60
        session.save()

    def test_stale_password_reprompts_before_confirming(self, operator_client, synced):
        self._stale(operator_client)
        url = reverse("role-delete", args=[ecs(STAGING).pk])
        response = operator_client.post(url, {"confirm_name": "AWSServiceRoleForECS"})
        assert response.status_code == 302
        assert response["Location"] == f"/reauth/?next={url.replace('/', '%2F')}"
        assert not DeletionRequest.objects.exists()
        bad = operator_client.post(reverse("reauth"), {"password": "nope", "next": url})
        assert bad.status_code == 400
        assert AuditEvent.objects.filter(action="auth.reauth_failed").count() == 1
        good = operator_client.post(reverse("reauth"), {"password": PASSWORD, "next": url})
        assert good["Location"] == url
        assert (
            operator_client.post(url, {"confirm_name": "AWSServiceRoleForECS"}).status_code == 302
        )
        assert DeletionRequest.objects.count() == 1

    def test_stale_password_reprompts_before_approving(self, approver_client, synced, operator):
        deletion = request_deletion(ecs(STAGING), user=operator).request
        self._stale(approver_client)
        response = approver_client.post(
            reverse("deletion-approve", args=[deletion.pk]), {"comment": "ok"}
        )
        assert response["Location"].startswith("/reauth/")
        deletion.refresh_from_db()
        assert deletion.state == "awaiting_approval"

    def test_reauth_never_redirects_off_site(self, operator_client):
        response = operator_client.post(
            reverse("reauth"), {"password": PASSWORD, "next": "https://evil.example/"}
        )
        assert response["Location"] == "/"

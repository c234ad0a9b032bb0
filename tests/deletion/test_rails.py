"""Attacks on the deletion rails: each tries another path around two-person
approval, the account binding, the evidence version or the protected list.

Every test here is one way around a rail that was possible before; each must fail
against the rail as it is now (AWS is the emulator, over HTTP).
"""

import time

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from roles.access.reauth import REAUTH_AT
from roles.deletion import evidence, worker
from roles.deletion.service import DeletionRefused, decide, request_deletion, retry_deletion
from roles.models import (
    Account,
    AuditEvent,
    DeletionRequest,
    Notification,
    ProtectedRule,
    ServiceLinkedRole,
)
from tests.conftest import make_user
from tests.support.aws import client as aws_client
from tests.support.drive import drive_deletion
from tests.support.sync import sync_now

# The SQLite pass of .ci/run runs this module too (docs/testing.md).
pytestmark = pytest.mark.engine

PROD, STAGING = "111111111111", "222222222222"
REGIONS = ["ap-southeast-2", "eu-west-1", "us-east-1"]  # sorted, as the account form stores them
DELETE = "iam:DeleteServiceLinkedRole"


@pytest.fixture(autouse=True)
def approval_on(settings):
    settings.ROLECALL_REQUIRE_APPROVAL = True


@pytest.fixture
def synced(sync_demo):
    """Only the accounts the rails act on, on regions in the order the account form
    stores them (TestAccountEdits posts them back unchanged)."""
    return sync_demo("acme-staging", "acme-prod", regions=REGIONS)


@pytest.fixture
def dana(db):
    """One person holding both roles, as every superuser does."""
    user = make_user("dana", "operator")
    user.groups.add(Group.objects.get_or_create(name="approver")[0])
    return user


def role(account_id: str, name: str = "AWSServiceRoleForECS") -> ServiceLinkedRole:
    return ServiceLinkedRole.objects.get(account__aws_account_id=account_id, name=name)


def delete_calls(emulator) -> int:
    return emulator.control.calls()["operations"].get(DELETE, 0)


def failed_prod_request(operator, approver) -> DeletionRequest:
    """A production ECS deletion, approved by bob and refused by AWS (clusters exist)."""
    deletion = request_deletion(role(PROD), user=operator).request
    decide(deletion, user=approver, approve=True, version=deletion.evidence_version, comment="ok")
    deletion = drive_deletion(deletion)
    assert deletion.state == "failed"
    return deletion


# --- 1. Two-person approval cannot be walked around through Retry ----------------


def test_attack_retry_then_approve_alone_is_refused(emulator, synced, operator, approver, dana):
    deletion = failed_prod_request(operator, approver)
    calls = delete_calls(emulator)
    deletion = retry_deletion(deletion, user=dana)
    assert deletion.state == "awaiting_approval"
    with pytest.raises(DeletionRefused, match="another approver must decide"):
        decide(deletion, user=dana, approve=True, version=deletion.evidence_version, comment="me")
    deletion.refresh_from_db()
    assert deletion.state == "awaiting_approval" and deletion.approved_by is None
    assert drive_deletion(deletion).state == "awaiting_approval"
    assert delete_calls(emulator) == calls
    refused = AuditEvent.objects.get(action="deletion.approved", outcome="denied")
    assert refused.actor == dana and refused.details["reason"] == "self-approval"


def test_attack_superuser_retries_and_approves_alone(
    emulator, synced, operator, approver, admin_user
):
    deletion = failed_prod_request(operator, approver)
    deletion = retry_deletion(deletion, user=admin_user)
    with pytest.raises(DeletionRefused):
        decide(
            deletion, user=admin_user, approve=True, version=deletion.evidence_version, comment="x"
        )
    assert DeletionRequest.objects.get(pk=deletion.pk).state == "awaiting_approval"


def test_attack_the_original_requester_approves_a_retry_made_by_someone_else(
    emulator, synced, operator, approver, dana
):
    operator.groups.add(Group.objects.get_or_create(name="approver")[0])
    deletion = failed_prod_request(operator, approver)
    deletion = retry_deletion(deletion, user=dana)
    with pytest.raises(DeletionRefused):
        decide(
            deletion, user=operator, approve=True, version=deletion.evidence_version, comment="x"
        )


def test_an_approver_who_asked_for_nothing_approves_the_retry(
    emulator, synced, operator, approver, dana
):
    deletion = failed_prod_request(operator, approver)
    title = "Approval needed: delete AWSServiceRoleForECS in acme-prod"
    before = Notification.objects.filter(user=dana, title=title).count()
    deletion = retry_deletion(deletion, user=dana)
    # The retrier is not told to approve their own attempt; bob is.
    assert Notification.objects.filter(user=dana, title=title).count() == before
    assert Notification.objects.filter(user=approver, title=title).count() == 2
    decide(deletion, user=approver, approve=True, version=deletion.evidence_version, comment="ok")
    assert DeletionRequest.objects.get(pk=deletion.pk).state == "queued"


def test_attack_retry_and_approve_alone_through_the_pages(
    client, emulator, synced, operator, approver, dana
):
    deletion = failed_prod_request(operator, approver)
    client.force_login(dana)
    url = reverse("deletion-retry", args=[deletion.pk])
    names = {"confirm_name": "AWSServiceRoleForECS", "confirm_account": "acme-prod"}
    assert client.post(url, names).status_code == 302
    deletion.refresh_from_db()
    page = client.get(reverse("deletion-detail", args=[deletion.pk])).content.decode()
    assert 'data-testid="approve"' not in page
    assert "You asked for this deletion or a retry of it" in page
    response = client.post(
        reverse("deletion-approve", args=[deletion.pk]),
        {"comment": "mine", "version": deletion.evidence_version},
        follow=True,
    )
    assert "another approver must decide" in response.content.decode()
    assert DeletionRequest.objects.get(pk=deletion.pk).state == "awaiting_approval"


def test_retry_needs_a_fresh_password(operator_client, emulator, synced, operator, approver):
    deletion = failed_prod_request(operator, approver)
    session = operator_client.session
    session[REAUTH_AT] = time.time() - 3600
    session.save()
    url = reverse("deletion-retry", args=[deletion.pk])
    names = {"confirm_name": "AWSServiceRoleForECS", "confirm_account": "acme-prod"}
    response = operator_client.post(url, names)
    assert response["Location"].startswith("/reauth/")
    assert DeletionRequest.objects.get(pk=deletion.pk).attempts.count() == 1


# --- 2. An approval never follows a re-pointed account or a replaced role ---------


def test_attack_account_repointed_after_approval_cannot_delete_in_the_other_account(
    emulator, synced, operator, approver
):
    staging = role(STAGING, "AWSServiceRoleForElasticLoadBalancing")
    deletion = request_deletion(staging, user=operator).request
    decide(deletion, user=approver, approve=True, version=deletion.evidence_version, comment="ok")
    # The staging row now assumes the production audit role (a direct edit of the
    # row: the accounts page refuses it while a request is active, tested below).
    Account.objects.filter(aws_account_id=STAGING).update(
        role_arn=f"arn:aws:iam::{PROD}:role/RolecallAudit"
    )
    deletion = drive_deletion(deletion)
    assert deletion.state == "failed"
    attempt = deletion.attempts.get()
    assert attempt.error["code"] == "BindingChanged" and attempt.error["request_id"]
    assert delete_calls(emulator) == 0
    prod_iam = aws_client("iam", PROD)
    assert prod_iam.get_role(RoleName="AWSServiceRoleForElasticLoadBalancing")["Role"]
    refused = AuditEvent.objects.get(action="deletion.refused")
    assert refused.outcome == "denied"
    assert {"field": "account AWS answered for", "approved": STAGING, "now": PROD} in (
        refused.details["changes"]
    )
    assert deletion.approved_by is None
    assert Notification.objects.filter(user=approver, title__contains="stopped").exists()


def test_attack_account_id_and_role_rewritten_together(emulator, synced, operator, approver):
    staging = role(STAGING, "AWSServiceRoleForElasticLoadBalancing")
    deletion = request_deletion(staging, user=operator).request
    decide(deletion, user=approver, approve=True, version=deletion.evidence_version, comment="ok")
    Account.objects.filter(aws_account_id=STAGING).update(
        aws_account_id="999999999999", role_arn=f"arn:aws:iam::{PROD}:role/RolecallAudit"
    )
    deletion = drive_deletion(deletion)
    assert deletion.attempts.get().error["code"] == "BindingChanged"
    assert {c["field"] for c in deletion.voided_changes} == {
        "account id",
        "account AWS answered for",
        "role ARN",
        "role id",
    }
    assert delete_calls(emulator) == 0


def test_attack_role_replaced_by_a_new_one_of_the_same_name(emulator, synced, operator, approver):
    iam = aws_client("iam", STAGING)
    name = iam.create_service_linked_role(
        AWSServiceName="autoscaling.amazonaws.com", CustomSuffix="rails"
    )["Role"]["RoleName"]
    sync_now(Account.objects.get(aws_account_id=STAGING))
    deletion = request_deletion(role(STAGING, name), user=operator).request
    decide(deletion, user=approver, approve=True, version=deletion.evidence_version, comment="ok")
    # Deleted and created again behind rolecall's back: same name and ARN, new RoleId.
    emulator.control.set_deletion(mode="polls", polls=0)
    task = iam.delete_service_linked_role(RoleName=name)["DeletionTaskId"]
    iam.get_service_linked_role_deletion_status(DeletionTaskId=task)
    iam.create_service_linked_role(AWSServiceName="autoscaling.amazonaws.com", CustomSuffix="rails")
    emulator.control.reset_calls()
    deletion = drive_deletion(deletion)
    assert deletion.attempts.get().error["code"] == "BindingChanged"
    assert [c["field"] for c in deletion.voided_changes] == ["role id"]
    assert delete_calls(emulator) == 0
    assert iam.get_role(RoleName=name)["Role"]["RoleId"] != deletion.bound_role_id


def test_the_submission_goes_through_the_checked_account(emulator, synced, operator, approver):
    staging = role(STAGING, "AWSServiceRoleForElasticLoadBalancing")
    deletion = request_deletion(staging, user=operator).request
    assert (deletion.bound_account_id, deletion.bound_role_id) == (STAGING, staging.role_id)
    decide(deletion, user=approver, approve=True, version=deletion.evidence_version, comment="ok")
    deletion = drive_deletion(deletion)
    assert deletion.state == "succeeded"
    submitted = AuditEvent.objects.get(action="deletion.submitted")
    assert submitted.details["caller_account"] == STAGING
    assert submitted.details["role_id"] == staging.role_id
    assert deletion.attempts.get().checked_at is not None


class TestAccountEdits:
    def form(self, account: Account, **changes) -> dict:
        data = {
            "aws_account_id": account.aws_account_id,
            "name": account.name,
            "role_arn": account.role_arn,
            "change_role_arn": account.change_role_arn,
            "external_id": account.external_id,
            "regions_text": ", ".join(account.regions),
        }
        if account.production:
            data["production"] = "on"
        if account.enabled:
            data["enabled"] = "on"
        data.update(changes)
        return {k: v for k, v in data.items() if v is not None}

    def test_attack_repoint_an_account_while_a_request_waits(self, admin_client, synced, operator):
        account = Account.objects.get(aws_account_id=STAGING)
        request_deletion(role(STAGING), user=operator)
        url = reverse("account-edit", args=[account.pk])
        other = f"arn:aws:iam::{STAGING}:role/Elsewhere"
        response = admin_client.post(url, self.form(account, role_arn=other))
        assert response.status_code == 409
        assert "Refused while 1 deletion request(s)" in response.content.decode()
        account.refresh_from_db()
        assert account.role_arn.endswith(":role/RolecallAudit")
        refused = AuditEvent.objects.get(action="account.changed")
        assert refused.outcome == "denied"
        assert refused.details["refused"]["role_arn"]["new"] == other

    @pytest.mark.parametrize("change_role", ["", f"arn:aws:iam::{STAGING}:role/Elsewhere"])
    def test_attack_clear_or_repoint_the_change_role_while_a_request_waits(
        self, admin_client, synced, operator, change_role
    ):
        """Clearing it would send the approved deletion through the read role, with no
        one named; re-pointing it would make another role the one AWS sees."""
        account = Account.objects.get(aws_account_id=STAGING)
        request_deletion(role(STAGING), user=operator)
        url = reverse("account-edit", args=[account.pk])
        response = admin_client.post(url, self.form(account, change_role_arn=change_role))
        assert response.status_code == 409
        account.refresh_from_db()
        assert account.change_role_arn == f"arn:aws:iam::{STAGING}:role/RolecallChange"
        refused = AuditEvent.objects.get(action="account.changed")
        assert refused.details["refused"]["change_role_arn"]["new"] == change_role

    def test_a_change_role_edit_is_audited_with_old_and_new(self, admin_client, synced):
        account = Account.objects.get(aws_account_id=STAGING)
        response = admin_client.post(
            reverse("account-edit", args=[account.pk]), self.form(account, change_role_arn="")
        )
        assert response.status_code == 302
        event = AuditEvent.objects.get(action="account.changed")
        assert event.details["changes"] == {
            "change_role_arn": {"old": f"arn:aws:iam::{STAGING}:role/RolecallChange", "new": ""}
        }

    def test_attack_turn_off_the_production_flag_while_a_plan_waits(
        self, admin_client, synced, operator
    ):
        from roles.cleanup import plan as planning

        account = Account.objects.get(aws_account_id=PROD)
        planning.build(role(PROD), user=operator)
        response = admin_client.post(
            reverse("account-edit", args=[account.pk]), self.form(account, production=None)
        )
        assert response.status_code == 409
        assert "1 cleanup plan(s)" in response.content.decode()
        assert Account.objects.get(pk=account.pk).production is True

    def test_a_name_change_is_allowed_while_requests_wait(self, admin_client, synced, operator):
        account = Account.objects.get(aws_account_id=STAGING)
        request_deletion(role(STAGING), user=operator)
        response = admin_client.post(
            reverse("account-edit", args=[account.pk]), self.form(account, name="staging-2")
        )
        assert response.status_code == 302
        event = AuditEvent.objects.get(action="account.changed")
        assert event.details["changes"] == {"name": {"old": "acme-staging", "new": "staging-2"}}

    def test_editing_an_account_needs_a_fresh_password(self, admin_client, synced):
        account = Account.objects.get(aws_account_id=STAGING)
        session = admin_client.session
        session[REAUTH_AT] = time.time() - 3600
        session.save()
        url = reverse("account-edit", args=[account.pk])
        assert admin_client.get(url)["Location"].startswith("/reauth/")
        response = admin_client.post(url, self.form(account, production="on"))
        assert response["Location"].startswith("/reauth/")
        assert Account.objects.get(pk=account.pk).production is False

    def test_repointing_an_idle_account_is_audited_with_before_and_after(
        self, admin_client, synced
    ):
        account = Account.objects.get(aws_account_id=STAGING)
        response = admin_client.post(
            reverse("account-edit", args=[account.pk]), self.form(account, production="on")
        )
        assert response.status_code == 302
        event = AuditEvent.objects.get(action="account.changed")
        assert event.details["changes"] == {"production": {"old": False, "new": True}}
        assert event.details["reauthenticated"] is True


# --- 4. A stale approval form cannot approve replaced evidence -------------------


def test_attack_stale_approval_form_re_approves_voided_evidence(
    approver_client, emulator, synced, operator, approver
):
    deletion = request_deletion(role(STAGING), user=operator).request
    shown = deletion.evidence_version
    decide(deletion, user=approver, approve=True, version=shown, comment="ok")
    emulator.control.set_role_last_used(
        STAGING, "AWSServiceRoleForECS", timezone.now().strftime("%Y-%m-%dT%H:%M:%SZ"), "eu-west-1"
    )
    worker.submit(deletion.pk)
    deletion.refresh_from_db()
    assert deletion.state == "awaiting_approval" and deletion.evidence_version == shown + 1
    # Bob's tab still holds the page he approved from.
    response = approver_client.post(
        reverse("deletion-approve", args=[deletion.pk]),
        {"comment": "still fine", "version": shown},
        follow=True,
    )
    html = response.content.decode()
    assert "The evidence changed since this page was loaded" in html
    assert "last used region: us-east-1 → eu-west-1" in html
    deletion.refresh_from_db()
    assert deletion.state == "awaiting_approval" and deletion.approved_by is None
    stale = AuditEvent.objects.get(action="deletion.approved", outcome="denied")
    assert stale.details["reason"] == "stale evidence"
    assert stale.details["shown_version"] == shown
    # The page as it is now carries the new version, and that approval goes through.
    page = approver_client.get(reverse("deletion-detail", args=[deletion.pk])).content.decode()
    assert f'name="version" value="{shown + 1}"' in page
    response = approver_client.post(
        reverse("deletion-approve", args=[deletion.pk]),
        {"comment": "seen the new use", "version": shown + 1},
    )
    assert DeletionRequest.objects.get(pk=deletion.pk).state == "queued"


def test_attack_approval_post_without_a_version(approver_client, synced, operator):
    deletion = request_deletion(role(STAGING), user=operator).request
    approver_client.post(reverse("deletion-approve", args=[deletion.pk]), {"comment": "ok"})
    assert DeletionRequest.objects.get(pk=deletion.pk).state == "awaiting_approval"
    for bad in ("abc", "-1", str(2**64)):
        response = approver_client.post(
            reverse("deletion-approve", args=[deletion.pk]), {"comment": "ok", "version": bad}
        )
        assert response.status_code == 302
        assert DeletionRequest.objects.get(pk=deletion.pk).state == "awaiting_approval"


def test_rejecting_from_a_stale_page_is_allowed(emulator, synced, operator, approver):
    deletion = request_deletion(role(STAGING), user=operator).request
    decide(deletion, user=approver, approve=False, version=99, comment="no")
    assert DeletionRequest.objects.get(pk=deletion.pk).state == "rejected"


# --- 5. The protected list cannot be outrun by the slow evidence read -------------


def test_attack_protection_added_during_the_evidence_read(
    emulator, synced, operator, approver, monkeypatch
):
    deletion = request_deletion(role(STAGING), user=operator).request
    decide(deletion, user=approver, approve=True, version=deletion.evidence_version, comment="ok")
    real = evidence.read_from_aws

    def read_then_protect(*args, **kwargs):
        fresh = real(*args, **kwargs)
        # An admin protects the role while the worker is still reading AWS.
        ProtectedRule.objects.create(kind="role", pattern="AWSServiceRoleForECS", reason="now")
        return fresh

    monkeypatch.setattr(evidence, "read_from_aws", read_then_protect)
    deletion = drive_deletion(deletion)
    assert deletion.state == "failed"
    assert deletion.attempts.get().error["code"] == "Protected"
    assert delete_calls(emulator) == 0


@pytest.mark.django_db(transaction=True)
def test_no_transaction_is_open_during_the_deletion_aws_calls(
    emulator, sync_demo, operator, approver, monkeypatch
):
    sync_demo("acme-staging", regions=REGIONS)
    from roles.aws import ecs, iam, sts

    seen = []

    def outside(module, name):
        real = getattr(module, name)

        def wrapped(*args, **kwargs):
            seen.append((name, connection.in_atomic_block))
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, wrapped)

    for module, name in (
        (sts, "identity"),
        (iam, "get_role"),
        (ecs, "list_clusters"),
        (iam, "delete_service_linked_role"),
        (iam, "deletion_status"),
    ):
        outside(module, name)
    deletion = request_deletion(role(STAGING), user=operator).request
    decide(deletion, user=approver, approve=True, version=deletion.evidence_version, comment="ok")
    deletion = drive_deletion(deletion)
    assert deletion.state == "succeeded", deletion.voided_changes
    names = {name for name, _ in seen}
    assert names == {
        "identity",
        "get_role",
        "list_clusters",
        "delete_service_linked_role",
        "deletion_status",
    }
    assert [s for s in seen if s[1]] == []


# --- the same rails on cleanup plans ---------------------------------------------


def test_attack_plan_then_approve_alone(emulator, synced, operator, dana):
    from roles.cleanup import plan as planning
    from roles.cleanup.plan import CleanupRefused
    from roles.cleanup.service import decide as decide_cleanup
    from roles.cleanup.service import request_execution

    plan, _ = planning.build(role(PROD), user=dana)
    plan = request_execution(plan, user=operator)
    assert plan.state == "awaiting_approval"
    assert (plan.requested_by, plan.confirmed_by) == (dana, operator)
    with pytest.raises(CleanupRefused, match="another approver must decide"):
        decide_cleanup(plan, user=dana, approve=True, comment="mine")
    plan.refresh_from_db()
    assert plan.state == "awaiting_approval" and plan.approved_by is None
    title = "Approval needed: clean up what keeps AWSServiceRoleForECS in use in acme-prod"
    assert not Notification.objects.filter(user=dana, title=title).exists()


def test_attack_cleanup_follows_a_repointed_account(emulator, synced, operator, settings):
    from roles.cleanup import plan as planning
    from roles.cleanup import run
    from roles.cleanup.service import request_execution

    settings.ROLECALL_REQUIRE_APPROVAL = False
    plan, _ = planning.build(role(PROD), user=operator)
    request_execution(plan, user=operator)
    # Production's row now reaches staging's credentials (a direct edit of the row).
    Account.objects.filter(aws_account_id=PROD).update(
        role_arn=f"arn:aws:iam::{STAGING}:role/RolecallAudit"
    )
    staging_ecs = aws_client("ecs", STAGING, "us-east-1")
    staging_ecs.create_cluster(clusterName="web-prod")  # same name, other account
    emulator.control.reset_calls()
    for row in plan.regions.all():
        run.run_region(plan.pk, row.region, task_id="test")
    plan.refresh_from_db()
    made = emulator.control.calls()["operations"]
    mutating = {op for op in made if op.split(":")[1].startswith(("Delete", "Update", "Dereg"))}
    assert mutating == set()
    assert not plan.steps.filter(status="done").exists()
    skipped = plan.steps.filter(status="skipped").first()
    assert "the plan was made in account 111111111111" in skipped.note
    assert "credentials reach 222222222222" in skipped.note
    assert staging_ecs.describe_clusters(clusters=["web-prod"])["clusters"][0]["status"] == "ACTIVE"
    assert aws_client("ecs", PROD, "us-east-1").list_clusters()["clusterArns"]

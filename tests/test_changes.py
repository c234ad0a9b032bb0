"""roles/changes.py: the AWS change, its row and its one audit event, or one failure event.

The pages on top are tested in tests/test_role_changes.py and tests/test_pages.py.
"""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from roles import changes
from roles.aws.errors import AwsError
from roles.models import AuditEvent, Notification, ServiceLinkedRole, SyncRun
from tests.support.aws import client as aws_client
from tests.support.aws import only, record_answers

STAGING = "222222222222"
IP = "198.51.100.7"


@pytest.fixture
def staging(sync_demo):
    return sync_demo("acme-staging", regions=["us-east-1"])["acme-staging"]


@pytest.fixture
def request_(operator):
    request = RequestFactory().post("/", REMOTE_ADDR=IP)
    request.user = operator
    return request


@pytest.fixture
def answers(monkeypatch):
    return record_answers(monkeypatch)


def rds(account) -> ServiceLinkedRole:
    return ServiceLinkedRole.objects.get(account=account, name="AWSServiceRoleForRDS")


def in_aws(name: str) -> dict:
    return aws_client("iam", STAGING).get_role(RoleName=name)["Role"]


def the_event(action: str) -> AuditEvent:
    (event,) = AuditEvent.objects.filter(action=action)
    return event


def who(event: AuditEvent) -> tuple:
    return event.actor_id, event.actor_name, event.source_ip, event.account_id


def made_as_alice(event: AuditEvent, emulator, operation: str) -> dict:
    """The change went through staging's change role, naming alice, as the event says;
    returns the event's details without the session."""
    details = dict(event.details)
    session, arn = details.pop("change_session"), details.pop("changed_as")
    assert arn == f"arn:aws:sts::{STAGING}:assumed-role/RolecallChange/rolecall-{session}"
    (call,) = emulator.control.trail(operation=operation)
    assert (call["caller"], call["source_identity"]) == (arn, "alice")
    assert call["session_tags"] == {"rolecall-requester": "alice", "rolecall-request": session}
    return details


# --- update_description -----------------------------------------------------------


def test_a_description_is_changed_in_aws_then_on_the_row_with_one_event(
    staging, request_, answers, operator, emulator
):
    role = rds(staging)
    old = role.description
    changes.update_description(role, "Kept for the billing DB", request=request_)
    assert rds(staging).description == "Kept for the billing DB"
    assert in_aws("AWSServiceRoleForRDS")["Description"] == "Kept for the billing DB"
    event = the_event("role.description_edited")
    assert (event.outcome, event.target_arn) == ("success", role.arn)
    assert event.aws_request_id == only(answers, "UpdateRoleDescription").request_id != ""
    assert made_as_alice(event, emulator, "iam:UpdateRoleDescription") == {
        "old": old,
        "new": "Kept for the billing DB",
    }
    assert who(event) == (operator.pk, "alice", IP, STAGING)
    (note,) = Notification.objects.filter(user=operator)
    assert (note.level, note.title, note.link) == (
        "success",
        "Description of AWSServiceRoleForRDS in acme-staging updated",
        reverse("role-detail", args=[role.pk]),
    )


def test_the_description_row_and_its_event_are_written_together(staging, request_, monkeypatch):
    role = rds(staging)
    old = role.description

    def broken(*args, **kwargs):
        raise RuntimeError("the audit chain is unavailable")

    monkeypatch.setattr(AuditEvent.objects, "record", broken)
    with pytest.raises(RuntimeError):
        changes.update_description(role, "new text", request=request_)
    assert rds(staging).description == old
    assert not Notification.objects.exists()


def test_a_refused_description_change_is_one_failure_event_and_an_aws_error(
    staging, request_, answers, emulator, operator
):
    emulator.control.add_faults(
        {"operation": "iam:UpdateRoleDescription", "error": "AccessDenied", "message": "No."}
    )
    role = rds(staging)
    old = role.description
    with pytest.raises(AwsError) as raised:
        changes.update_description(role, "new text", request=request_)
    refused = only(answers, "UpdateRoleDescription")
    assert (raised.value.code, raised.value.request_id) == ("AccessDenied", refused.request_id)
    assert refused.request_id != ""
    event = the_event("role.description_edited")
    assert (event.outcome, event.aws_request_id) == ("failure", refused.request_id)
    assert made_as_alice(event, emulator, "iam:UpdateRoleDescription") == {
        "old": old,
        "new": "new text",
        "error": raised.value.as_dict(),
    }
    assert who(event) == (operator.pk, "alice", IP, STAGING)
    assert rds(staging).description == old
    assert in_aws("AWSServiceRoleForRDS")["Description"] == old
    assert not Notification.objects.exists()


def test_a_refused_assume_role_is_audited_as_the_description_change(staging, request_, emulator):
    emulator.control.add_faults({"operation": "sts:AssumeRole", "error": "AccessDenied"})
    role = rds(staging)
    with pytest.raises(AwsError) as raised:
        changes.update_description(role, "new text", request=request_)
    assert (raised.value.code, raised.value.operation) == ("AccessDenied", "AssumeRole")
    event = the_event("role.description_edited")
    assert (event.outcome, event.aws_request_id) == ("failure", raised.value.request_id)
    assert event.details["error"] == raised.value.as_dict()
    assert rds(staging).description == role.description


# --- create_role ------------------------------------------------------------------


def test_a_created_role_is_one_event_a_notification_and_a_sync(
    staging, request_, answers, operator, emulator
):
    summary = changes.create_role(
        staging, "cloudtrail.amazonaws.com", "For the trail", "", request=request_
    )
    assert summary.name == "AWSServiceRoleForCloudTrail"
    assert in_aws("AWSServiceRoleForCloudTrail")["Arn"] == summary.arn
    event = the_event("role.created")
    assert (event.outcome, event.target_arn) == ("success", summary.arn)
    assert event.aws_request_id == only(answers, "CreateServiceLinkedRole").request_id != ""
    assert made_as_alice(event, emulator, "iam:CreateServiceLinkedRole") == {
        "service_principal": "cloudtrail.amazonaws.com",
        "description": "For the trail",
        "custom_suffix": "",
    }
    assert who(event) == (operator.pk, "alice", IP, STAGING)
    (note,) = Notification.objects.filter(user=operator)
    assert (note.level, note.title, note.body, note.link) == (
        "success",
        "AWSServiceRoleForCloudTrail created in acme-staging",
        "It appears in the role list after the sync.",
        reverse("account-detail", args=[staging.pk]),
    )
    # The row itself comes with the sync the change started.
    assert not ServiceLinkedRole.objects.filter(name="AWSServiceRoleForCloudTrail").exists()
    (run,) = SyncRun.objects.filter(account=staging, status="queued")
    assert run.requested_by_id == operator.pk
    started = AuditEvent.objects.filter(action="sync.started").latest("seq")
    assert started.details == {"sync_run": run.pk, "reason": "role created"}


def test_a_refused_creation_is_one_failure_event_and_no_sync(staging, request_, answers, emulator):
    emulator.control.add_faults(
        {"operation": "iam:CreateServiceLinkedRole", "error": "AccessDenied"}
    )
    with pytest.raises(AwsError) as raised:
        changes.create_role(staging, "cloudtrail.amazonaws.com", "", "", request=request_)
    refused = only(answers, "CreateServiceLinkedRole")
    assert (raised.value.code, raised.value.request_id) == ("AccessDenied", refused.request_id)
    assert refused.request_id != ""
    event = the_event("role.created")
    assert (event.outcome, event.aws_request_id, event.target_arn) == (
        "failure",
        refused.request_id,
        "",
    )
    assert made_as_alice(event, emulator, "iam:CreateServiceLinkedRole") == {
        "service_principal": "cloudtrail.amazonaws.com",
        "description": "",
        "custom_suffix": "",
        "error": raised.value.as_dict(),
    }
    roles = aws_client("iam", STAGING).list_roles(PathPrefix="/aws-service-role/cloudtrail")
    assert roles["Roles"] == []
    assert not SyncRun.objects.filter(account=staging, status="queued").exists()
    assert not Notification.objects.exists()


# --- check_connection -------------------------------------------------------------


def test_a_connection_check_reports_who_answered(demo_accounts, emulator, request_, answers):
    staging = demo_accounts["acme-staging"]
    identity, mismatch = changes.check_connection(staging, request=request_)
    assert (identity.account, mismatch) == (STAGING, False)
    event = the_event("account.connection_tested")
    assert event.outcome == "success"
    assert event.aws_request_id == identity.request_id
    assert identity.request_id == only(answers, "GetCallerIdentity").request_id != ""
    assert event.details == {
        "arn": f"arn:aws:sts::{STAGING}:assumed-role/RolecallAudit/rolecall",
        "answered_account": STAGING,
    }
    # The page shows the answer; nothing is stored or notified.
    assert not Notification.objects.exists()


def test_credentials_reaching_another_account_are_audited_as_a_failure(
    demo_accounts, emulator, request_
):
    staging = demo_accounts["acme-staging"]
    staging.aws_account_id = "333333333333"  # its role ARN still names 222222222222
    staging.save(update_fields=["aws_account_id"])
    identity, mismatch = changes.check_connection(staging, request=request_)
    assert (identity.account, mismatch) == (STAGING, True)
    event = the_event("account.connection_tested")
    assert (event.outcome, event.account_id, event.aws_request_id) == (
        "failure",
        "333333333333",
        identity.request_id,
    )
    assert event.details["answered_account"] == STAGING


def test_a_refused_connection_check_is_one_failure_event_and_an_aws_error(
    demo_accounts, emulator, request_, answers
):
    emulator.control.add_faults(
        {"operation": "sts:GetCallerIdentity", "error": "AccessDenied", "message": "No."}
    )
    with pytest.raises(AwsError) as raised:
        changes.check_connection(demo_accounts["acme-staging"], request=request_)
    refused = only(answers, "GetCallerIdentity")
    assert (raised.value.code, raised.value.request_id) == ("AccessDenied", refused.request_id)
    assert refused.request_id != ""
    event = the_event("account.connection_tested")
    assert (event.outcome, event.aws_request_id) == ("failure", refused.request_id)
    assert event.details == {"error": raised.value.as_dict()}

"""roles/role_changes/service.py and roles/role_changes/worker.py: a direct change is
asked for by the page (a queued RoleChange and its event, no AWS call) and made by the worker (the
AWS call through the change role, the row, its one audit event and a notification),
or ends as one failure event; and the connection check.

The pages on top are tested in tests/role_changes/test_role_changes.py and tests/ui/test_pages.py.
"""

from datetime import timedelta

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from roles import jobs
from roles.accounts.connection import check_connection
from roles.aws.errors import AwsError
from roles.jobs.sweeper import sweep
from roles.models import AuditEvent, Notification, RoleChange, ServiceLinkedRole, SyncRun
from roles.role_changes import service as changes
from roles.role_changes import worker as change_worker
from roles.role_changes.service import APPLY_TASK
from tests.support.aws import client as aws_client
from tests.support.aws import only, record_answers

# The SQLite pass of .ci/run runs this module too (docs/testing.md).
pytestmark = pytest.mark.engine

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
def creator(operator, request_):
    """alice's request, alice an administrator: creating a role is an administrator's
    to ask for (roles/role_changes/views.py), and the worker checks it again."""
    operator.is_superuser = True
    operator.save(update_fields=["is_superuser"])
    return request_


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
    alice = event.actor_id
    assert (call["caller"], call["source_identity"]) == (arn, f"alice.{alice}")
    assert call["session_tags"] == {"rolecall-requester": "alice", "rolecall-request": session}
    return details


# --- asking ---------------------------------------------------------------------


def ask(role, new="Kept for the billing DB", request=None) -> RoleChange:
    change = changes.request_description(role, new, request=request)
    assert change.state == "queued"
    return change


def test_asking_stores_a_queued_change_and_its_event_and_calls_nothing(
    staging, request_, operator, emulator, django_capture_on_commit_callbacks
):
    emulator.control.clear_trail()
    role = rds(staging)
    with django_capture_on_commit_callbacks() as published:
        change = ask(role, request=request_)
    assert [(p.task, p.args) for p in published] == [(APPLY_TASK, (change.pk,))]
    assert (change.kind, change.subject, change.target_arn, change.bound_account_id) == (
        "description",
        "AWSServiceRoleForRDS",
        role.arn,
        STAGING,
    )
    assert (change.requested_by, change.requested_by_name, change.source_ip) == (
        operator,
        "alice",
        IP,
    )
    event = the_event("role.description_edit_requested")
    assert who(event) == (operator.pk, "alice", IP, STAGING)
    assert event.details == {
        "role_change": change.pk,
        "old": role.description,
        "new": change.params["new"],
    }
    # The web process assumed no role and changed nothing: that is the worker's.
    assert emulator.control.trail() == []
    assert in_aws("AWSServiceRoleForRDS")["Description"] == role.description


def test_a_second_ask_while_one_is_queued_gets_the_first(staging, request_, operator):
    role = rds(staging)
    first = ask(role, "one", request=request_)
    with pytest.raises(changes.AlreadyQueued) as raised:
        changes.request_description(role, "two", request=request_)
    assert raised.value.change == first
    assert RoleChange.objects.count() == 1
    assert AuditEvent.objects.filter(action="role.description_edit_requested").count() == 1
    # Once it is done, the role can be changed again.
    change_worker.finish(first, {"code": "AccessDenied", "message": "No.", "request_id": "r"})
    assert ask(role, "two", request=request_).params["new"] == "two"


def test_a_paused_account_is_refused_when_asking(staging, request_):
    staging.paused = "SUSPENDED"
    staging.save(update_fields=["paused"])
    with pytest.raises(AwsError) as raised:
        changes.request_description(rds(staging), "x", request=request_)
    assert raised.value.code == "NotSynced"
    assert not RoleChange.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="role.").exists()


# --- the worker: description ------------------------------------------------------


def test_a_description_is_changed_in_aws_then_on_the_row_with_one_event(
    staging, request_, answers, operator, emulator
):
    role = rds(staging)
    old = role.description
    change = ask(role, request=request_)
    assert change_worker.apply(change.pk, task_id="t-1") == "succeeded"
    assert rds(staging).description == "Kept for the billing DB"
    assert in_aws("AWSServiceRoleForRDS")["Description"] == "Kept for the billing DB"
    change.refresh_from_db()
    assert (change.state, change.task_id, change.error) == ("succeeded", "t-1", {})
    event = the_event("role.description_edited")
    assert (event.outcome, event.target_arn, event.task_id) == ("success", role.arn, "t-1")
    assert event.aws_request_id == only(answers, "UpdateRoleDescription").request_id != ""
    assert event.aws_request_id == change.aws_request_id
    assert made_as_alice(event, emulator, "iam:UpdateRoleDescription") == {
        "role_change": change.pk,
        "old": old,
        "new": "Kept for the billing DB",
    }
    assert event.details["change_session"] == f"description-{change.pk}"
    # Recorded as alice, from where she asked, though the worker made the call.
    assert who(event) == (operator.pk, "alice", IP, STAGING)
    (note,) = Notification.objects.filter(user=operator)
    assert (note.level, note.title, note.link) == (
        "success",
        "Description of AWSServiceRoleForRDS in acme-staging updated",
        reverse("role-detail", args=[role.pk]),
    )


def test_a_message_delivered_twice_makes_one_call(staging, request_, emulator):
    change = ask(rds(staging), request=request_)
    emulator.control.clear_trail()
    assert change_worker.apply(change.pk) == "succeeded"
    assert change_worker.apply(change.pk) == "not queued"
    assert len(emulator.control.trail(operation="iam:UpdateRoleDescription")) == 1
    assert AuditEvent.objects.filter(action="role.description_edited").count() == 1


def test_a_running_change_is_not_made_again(staging, request_, emulator):
    change = ask(rds(staging), request=request_)
    RoleChange.objects.filter(pk=change.pk).update(state="running")
    emulator.control.clear_trail()
    assert change_worker.apply(change.pk) == "not queued"
    assert emulator.control.trail() == []


def test_the_description_row_and_its_event_are_written_together(staging, request_, monkeypatch):
    role = rds(staging)
    old = role.description
    change = ask(role, "new text", request=request_)

    def broken(*args, **kwargs):
        raise RuntimeError("the audit chain is unavailable")

    monkeypatch.setattr(AuditEvent.objects, "record", broken)
    with pytest.raises(RuntimeError):
        change_worker.apply(change.pk)
    assert rds(staging).description == old
    assert not Notification.objects.exists()
    # Still running: the sweeper closes it and says AWS may have made the change.
    change.refresh_from_db()
    assert change.state == "running"


def test_a_refused_description_change_is_one_failure_event_and_a_notification(
    staging, request_, answers, emulator, operator
):
    emulator.control.add_faults(
        {"operation": "iam:UpdateRoleDescription", "error": "AccessDenied", "message": "No."}
    )
    role = rds(staging)
    old = role.description
    change = ask(role, "new text", request=request_)
    assert change_worker.apply(change.pk) == "failed"
    refused = only(answers, "UpdateRoleDescription")
    assert refused.request_id != ""
    change.refresh_from_db()
    assert (change.state, change.error["code"], change.error["request_id"]) == (
        "failed",
        "AccessDenied",
        refused.request_id,
    )
    event = the_event("role.description_edited")
    assert (event.outcome, event.aws_request_id) == ("failure", refused.request_id)
    assert made_as_alice(event, emulator, "iam:UpdateRoleDescription") == {
        "role_change": change.pk,
        "old": old,
        "new": "new text",
        "error": change.error,
    }
    assert who(event) == (operator.pk, "alice", IP, STAGING)
    assert rds(staging).description == old
    assert in_aws("AWSServiceRoleForRDS")["Description"] == old
    (note,) = Notification.objects.filter(user=operator)
    assert (note.level, note.title) == (
        "error",
        "Description of AWSServiceRoleForRDS in acme-staging: not changed, AccessDenied",
    )
    assert note.body == f"AccessDenied: No. (request id {refused.request_id})"


def test_a_refused_assume_role_is_audited_as_the_description_change(staging, request_, emulator):
    change = ask(rds(staging), "new text", request=request_)
    emulator.control.add_faults({"operation": "sts:AssumeRole", "error": "AccessDenied"})
    assert change_worker.apply(change.pk) == "failed"
    change.refresh_from_db()
    assert (change.error["code"], change.error["operation"]) == ("AccessDenied", "AssumeRole")
    event = the_event("role.description_edited")
    assert (event.outcome, event.aws_request_id) == ("failure", change.error["request_id"])
    assert event.details["error"] == change.error
    assert rds(staging).description != "new text"


# --- the worker: what the change is bound to ---------------------------------------


def test_an_account_re_pointed_after_asking_is_not_changed(staging, request_, emulator):
    change = ask(rds(staging), "new text", request=request_)
    staging.aws_account_id = "333333333333"
    staging.change_role_arn = "arn:aws:iam::333333333333:role/RolecallChange"
    staging.save(update_fields=["aws_account_id", "change_role_arn"])
    emulator.control.clear_trail()
    assert change_worker.apply(change.pk) == "failed"
    change.refresh_from_db()
    assert change.error["code"] == "AccountChanged"
    assert "222222222222" in change.error["message"]
    assert emulator.control.trail() == []
    assert the_event("role.description_edited").outcome == "failure"


def test_a_role_replaced_after_asking_is_not_changed(staging, request_, emulator):
    role = rds(staging)
    change = ask(role, "new text", request=request_)
    ServiceLinkedRole.objects.filter(pk=role.pk).update(arn=role.arn + "-other")
    emulator.control.clear_trail()
    assert change_worker.apply(change.pk) == "failed"
    change.refresh_from_db()
    assert change.error["code"] == "RoleChanged"
    assert emulator.control.trail() == []


def test_an_account_paused_after_asking_is_not_changed(staging, request_, emulator):
    change = ask(rds(staging), "new text", request=request_)
    staging.paused = "CLOSED"
    staging.save(update_fields=["paused"])
    emulator.control.clear_trail()
    assert change_worker.apply(change.pk) == "failed"
    change.refresh_from_db()
    assert change.error["code"] == "NotSynced"
    assert emulator.control.trail() == []


def test_a_change_role_acting_in_another_account_changes_nothing(staging, request_, emulator):
    change = ask(rds(staging), "new text", request=request_)
    # Re-pointed to sandbox's change role: AssumeRole answers for 333333333333.
    staging.change_role_arn = "arn:aws:iam::333333333333:role/RolecallChange"
    staging.save(update_fields=["change_role_arn"])
    assert change_worker.apply(change.pk) == "failed"
    change.refresh_from_db()
    assert change.error["code"] == "WrongAccount"
    assert emulator.control.trail(operation="iam:UpdateRoleDescription") == []


# --- the sweeper -------------------------------------------------------------------


@pytest.mark.parametrize("lost", ["group", "disabled"])
def test_a_requester_who_lost_the_right_to_ask_changes_nothing(
    staging, request_, emulator, operator, lost
):
    change = ask(rds(staging), "new text", request=request_)
    if lost == "group":
        operator.groups.clear()  # moved out of the operators after asking
    else:
        operator.is_active = False
        operator.save(update_fields=["is_active"])
    emulator.control.clear_trail()
    assert change_worker.apply(change.pk) == "failed"
    change.refresh_from_db()
    assert change.error["code"] == "NotAllowed" and "alice" in change.error["message"]
    assert emulator.control.trail() == []  # not even the change role assumed
    assert in_aws("AWSServiceRoleForRDS")["Description"] != "new text"
    event = the_event("role.description_edited")
    assert (event.outcome, event.actor_name) == ("failure", "alice")
    assert event.details["error"]["code"] == "NotAllowed"


def test_a_creation_asked_by_an_administrator_demoted_since_changes_nothing(
    staging, creator, emulator, operator
):
    change = changes.request_creation(staging, "cloudtrail.amazonaws.com", "", "", request=creator)
    operator.is_superuser = False  # still an operator, no longer an administrator
    operator.save(update_fields=["is_superuser"])
    emulator.control.clear_trail()
    assert change_worker.apply(change.pk) == "failed"
    change.refresh_from_db()
    assert change.error["code"] == "NotAllowed"
    assert emulator.control.trail() == []
    roles = aws_client("iam", STAGING).list_roles(PathPrefix="/aws-service-role/cloudtrail")
    assert roles["Roles"] == []
    assert not SyncRun.objects.filter(account=staging, status="queued").exists()


def test_the_sweeper_resends_a_queued_change_whose_message_was_lost(staging, request_, monkeypatch):
    change = ask(rds(staging), request=request_)
    RoleChange.objects.filter(pk=change.pk).update(updated=timezone.now() - timedelta(minutes=5))
    sent = []
    monkeypatch.setattr(
        jobs, "publish", lambda name, *args, **kw: sent.append((name, args)) or True
    )
    result = sweep(grace=30)
    assert result.sent == {"change": [change.pk]}
    assert sent == [(APPLY_TASK, (change.pk,))]
    change.refresh_from_db()
    assert change.dispatch_attempts == 1
    assert the_event("role.change_redispatched").details["role_change"] == change.pk
    # Just re-sent: not overdue again at once.
    assert sweep(grace=30).empty


def test_the_sweeper_closes_a_running_change_whose_worker_died_without_resending(
    staging, request_, operator, monkeypatch, settings
):
    change = ask(rds(staging), request=request_)
    long_ago = timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 120)
    RoleChange.objects.filter(pk=change.pk).update(state="running", started=long_ago)
    sent = []
    monkeypatch.setattr(jobs, "publish", lambda name, *args, **kw: sent.append(name) or True)
    result = sweep(grace=30)
    assert result.gave_up == {"change": [change.pk]}
    assert sent == []
    change.refresh_from_db()
    assert (change.state, change.error["code"]) == ("failed", "SweeperGaveUp")
    event = the_event("role.description_edited")
    assert (event.outcome, event.actor_name) == ("failure", "alice")
    (note,) = Notification.objects.filter(user=operator)
    assert note.level == "error"
    assert "AWS may have made the change" in note.body


# --- the worker: creation ---------------------------------------------------------


def test_a_created_role_is_one_event_a_notification_and_a_sync(
    staging, creator, answers, operator, emulator
):
    change = changes.request_creation(
        staging, "cloudtrail.amazonaws.com", "For the trail", "", request=creator
    )
    requested = the_event("role.create_requested")
    assert who(requested) == (operator.pk, "alice", IP, STAGING)
    assert change_worker.apply(change.pk) == "succeeded"
    change.refresh_from_db()
    assert change.target_arn == in_aws("AWSServiceRoleForCloudTrail")["Arn"]
    event = the_event("role.created")
    assert (event.outcome, event.target_arn) == ("success", change.target_arn)
    assert event.aws_request_id == only(answers, "CreateServiceLinkedRole").request_id != ""
    assert made_as_alice(event, emulator, "iam:CreateServiceLinkedRole") == {
        "role_change": change.pk,
        "service_principal": "cloudtrail.amazonaws.com",
        "description": "For the trail",
        "custom_suffix": "",
        "role_name": "AWSServiceRoleForCloudTrail",
    }
    assert who(event) == (operator.pk, "alice", IP, STAGING)
    (note,) = Notification.objects.filter(user=operator)
    assert (note.level, note.title, note.body, note.link) == (
        "success",
        "AWSServiceRoleForCloudTrail in acme-staging created",
        "It appears in the role list after the sync.",
        reverse("account-detail", args=[staging.pk]),
    )
    # The row itself comes with the sync the change started.
    assert not ServiceLinkedRole.objects.filter(name="AWSServiceRoleForCloudTrail").exists()
    (run,) = SyncRun.objects.filter(account=staging, status="queued")
    assert run.requested_by_id == operator.pk
    started = AuditEvent.objects.filter(action="sync.started").latest("seq")
    assert started.details == {"sync_run": run.pk, "reason": "role created"}


def test_a_second_creation_of_the_same_role_while_one_is_queued_is_refused(staging, request_):
    first = changes.request_creation(staging, "cloudtrail.amazonaws.com", "", "", request=request_)
    with pytest.raises(changes.AlreadyQueued) as raised:
        changes.request_creation(staging, "cloudtrail.amazonaws.com", "x", "", request=request_)
    assert raised.value.change == first
    # Another suffix is another role.
    changes.request_creation(staging, "cloudtrail.amazonaws.com", "", "two", request=request_)
    assert RoleChange.objects.count() == 2


def test_a_refused_creation_is_one_failure_event_and_no_sync(
    staging, creator, answers, emulator, operator
):
    emulator.control.add_faults(
        {"operation": "iam:CreateServiceLinkedRole", "error": "AccessDenied"}
    )
    change = changes.request_creation(staging, "cloudtrail.amazonaws.com", "", "", request=creator)
    assert change_worker.apply(change.pk) == "failed"
    refused = only(answers, "CreateServiceLinkedRole")
    assert refused.request_id != ""
    change.refresh_from_db()
    event = the_event("role.created")
    assert (event.outcome, event.aws_request_id, event.target_arn) == (
        "failure",
        refused.request_id,
        "",
    )
    assert made_as_alice(event, emulator, "iam:CreateServiceLinkedRole") == {
        "role_change": change.pk,
        "service_principal": "cloudtrail.amazonaws.com",
        "description": "",
        "custom_suffix": "",
        "error": change.error,
    }
    roles = aws_client("iam", STAGING).list_roles(PathPrefix="/aws-service-role/cloudtrail")
    assert roles["Roles"] == []
    assert not SyncRun.objects.filter(account=staging, status="queued").exists()
    (note,) = Notification.objects.filter(user=operator)
    assert note.level == "error" and refused.request_id in note.body


# --- check_connection -------------------------------------------------------------


def test_a_connection_check_reports_who_answered(demo_accounts, emulator, request_, answers):
    staging = demo_accounts["acme-staging"]
    identity, mismatch = check_connection(staging, request=request_)
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
    identity, mismatch = check_connection(staging, request=request_)
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
        check_connection(demo_accounts["acme-staging"], request=request_)
    refused = only(answers, "GetCallerIdentity")
    assert (raised.value.code, raised.value.request_id) == ("AccessDenied", refused.request_id)
    assert refused.request_id != ""
    event = the_event("account.connection_tested")
    assert (event.outcome, event.aws_request_id) == ("failure", refused.request_id)
    assert event.details == {"error": raised.value.as_dict()}

"""Deleting a role: the worker's submit and poll steps against the emulator over HTTP.

The steps are called directly (no broker); the fault tests (tests/faults/) and the
browser test (tests/deletion/test_deletion_browser.py) run them in a real worker.
"""

import pytest

from roles.deletion.service import DeletionRefused, request_deletion, retry_deletion
from roles.models import AuditEvent, DeletionRequest, Notification, ServiceLinkedRole
from tests.support.aws import remove_ecs_clusters
from tests.support.drive import drive_deletion
from tests.support.sync import REGIONS

# The SQLite pass of .ci/run runs this module too (docs/testing.md).
pytestmark = pytest.mark.engine

PROD, STAGING = "111111111111", "222222222222"
DELETE = "iam:DeleteServiceLinkedRole"
STATUS = "iam:GetServiceLinkedRoleDeletionStatus"


def pending_publishes() -> list[str]:
    """On-commit callbacks waiting: in these tests the transaction never commits,
    so nothing reaches the broker; the steps are driven by hand."""
    from django.db import connection

    return [getattr(callback, "task", "") for _, callback, _ in connection.run_on_commit]


def role(account_id: str, name: str = "AWSServiceRoleForECS") -> ServiceLinkedRole:
    return ServiceLinkedRole.objects.get(account__aws_account_id=account_id, name=name)


def calls(emulator, operation: str) -> int:
    return emulator.control.calls()["operations"].get(operation, 0)


def actions() -> list[str]:
    return list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))


def test_a_role_without_blockers_is_deleted(emulator, synced, operator):
    outcome = request_deletion(role(STAGING), user=operator)
    assert outcome.created
    assert pending_publishes()[-1] == "rolecall.deletion.submit"
    deletion = drive_deletion(outcome.request)
    assert deletion.state == "succeeded"
    attempt = deletion.attempts.get()
    assert attempt.status == "SUCCEEDED"
    assert attempt.deletion_task_id.startswith(
        "task/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS/"
    )
    assert role(STAGING).state == "deleted"
    assert calls(emulator, DELETE) == 1
    note = Notification.objects.get(user=operator)
    assert note.title == "Deletion of AWSServiceRoleForECS in acme-staging succeeded"
    assert note.level == "success"
    assert actions()[-5:] == [
        "deletion.requested",
        "deletion.confirmed",
        "deletion.submitted",
        "deletion.status_changed",  # NOT_STARTED -> IN_PROGRESS
        "deletion.succeeded",
    ]
    succeeded = AuditEvent.objects.get(action="deletion.succeeded")
    assert succeeded.deletion_task_id == attempt.deletion_task_id
    assert succeeded.aws_request_id


def test_a_blocked_role_fails_with_the_blockers_per_region(emulator, synced, operator):
    deletion = drive_deletion(request_deletion(role(PROD), user=operator).request)
    assert deletion.state == "failed"
    attempt = deletion.attempts.get()
    assert attempt.status == "FAILED" and attempt.reason
    regions = sorted(u["Region"] for u in attempt.role_usage_list)
    assert regions == sorted(REGIONS)
    assert all(
        arn.startswith("arn:aws:ecs:") for u in attempt.role_usage_list for arn in u["Resources"]
    )
    assert role(PROD).state == "present"
    note = Notification.objects.get(user=operator)
    assert note.title == "Deletion of AWSServiceRoleForECS in acme-prod failed: in use in 3 regions"
    assert "eu-west-1: arn:aws:ecs:eu-west-1:111111111111:cluster/" in note.body
    assert note.link == f"/deletions/{deletion.pk}/"
    failed = AuditEvent.objects.get(action="deletion.failed")
    assert failed.outcome == "failure"
    assert failed.details["RoleUsageList"] == attempt.role_usage_list


def test_retry_after_removing_the_blockers_succeeds_with_a_new_task_id(emulator, synced, operator):
    deletion = drive_deletion(request_deletion(role(PROD), user=operator).request)
    first = deletion.attempts.get()
    blockers = sorted(arn for usage in first.role_usage_list for arn in usage["Resources"])
    assert sorted(remove_ecs_clusters(PROD, REGIONS)) == blockers
    retry_deletion(deletion, user=operator)
    deletion = drive_deletion(deletion)
    assert deletion.state == "succeeded"
    second = deletion.attempts.get(number=2)
    assert second.status == "SUCCEEDED"
    assert second.deletion_task_id != first.deletion_task_id
    assert AuditEvent.objects.filter(action="deletion.retried").count() == 1
    assert calls(emulator, DELETE) == 2


def test_double_submit_gives_one_request_and_one_aws_call(emulator, synced, operator, approver):
    first = request_deletion(role(STAGING), user=operator)
    second = request_deletion(role(STAGING), user=approver)
    assert first.created and not second.created
    assert first.request.pk == second.request.pk
    assert DeletionRequest.objects.count() == 1
    from roles.deletion import worker

    worker.submit(first.request.pk)
    worker.submit(first.request.pk)  # a redelivered message
    assert calls(emulator, DELETE) == 1
    assert drive_deletion(first.request).state == "succeeded"
    assert calls(emulator, DELETE) == 1


def test_the_active_request_constraint_holds_in_the_database(synced, operator):
    from django.db import IntegrityError, transaction

    request_deletion(role(STAGING), user=operator)
    existing = DeletionRequest.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        DeletionRequest.objects.create(
            role=existing.role,
            account=existing.account,
            role_arn=existing.role_arn,
            role_name=existing.role_name,
            requested_by_name="x",
            state="queued",
        )


def test_a_rerun_after_aws_accepted_stores_the_same_task_id_once(emulator, synced, operator):
    from roles.deletion import worker
    from roles.models import DeletionAttempt

    deletion = request_deletion(role(STAGING), user=operator).request
    worker.submit(deletion.pk)
    stored = DeletionAttempt.objects.get().deletion_task_id
    # The worker died after AWS answered but before the row was saved:
    DeletionAttempt.objects.update(deletion_task_id="", status="pending")
    DeletionRequest.objects.filter(pk=deletion.pk).update(state="queued")
    worker.submit(deletion.pk)
    assert DeletionAttempt.objects.get().deletion_task_id == stored
    assert calls(emulator, DELETE) == 2  # AWS answered the same id twice


def test_nosuchentity_from_the_status_call_is_confirmed_with_getrole(emulator, synced, operator):
    emulator.control.set_deletion(forget_task_on_success=True)
    deletion = drive_deletion(request_deletion(role(STAGING), user=operator).request)
    assert deletion.state == "succeeded"
    attempt = deletion.attempts.get()
    assert "GetRole confirmed" in attempt.reason
    # One read of the evidence before the submission, one to confirm the role is gone.
    assert calls(emulator, "iam:GetRole") == 2


def test_nosuchentity_while_the_role_still_exists_ends_in_error_after_bounded_checks(
    emulator, synced, operator, settings
):
    settings.ROLECALL_MISSING_TASK_CHECKS = 2
    emulator.control.add_faults({"operation": STATUS, "error": "NoSuchEntity"})
    deletion = drive_deletion(request_deletion(role(STAGING), user=operator).request)
    assert deletion.state == "error"
    assert deletion.attempts.get().missing_checks == 3
    assert calls(emulator, STATUS) == 3


def test_nosuchentity_on_submit_means_already_absent(emulator, synced, operator):
    emulator.control.add_faults({"operation": DELETE, "error": "NoSuchEntity", "count": 1})
    deletion = drive_deletion(request_deletion(role(STAGING), user=operator).request)
    assert deletion.state == "succeeded"
    assert "already absent" in deletion.attempts.get().reason
    assert calls(emulator, DELETE) == 1


def test_access_denied_is_terminal_with_code_and_request_id(emulator, synced, operator):
    emulator.control.add_faults({"operation": DELETE, "error": "AccessDenied"})
    deletion = drive_deletion(request_deletion(role(STAGING), user=operator).request)
    assert deletion.state == "failed"
    attempt = deletion.attempts.get()
    assert attempt.status == "error"
    assert attempt.error["code"] == "AccessDenied" and attempt.error["request_id"]
    assert calls(emulator, DELETE) == 1
    event = AuditEvent.objects.get(action="deletion.failed")
    assert event.outcome == "denied"
    assert event.aws_request_id == attempt.error["request_id"]
    note = Notification.objects.get(user=operator)
    assert note.title.endswith("failed: AccessDenied")
    assert attempt.error["request_id"] in note.body


@pytest.mark.parametrize("operation", [DELETE, STATUS])
def test_throttling_twice_then_success(emulator, synced, operator, operation):
    emulator.control.add_faults({"operation": operation, "error": "Throttling", "count": 2})
    deletion = drive_deletion(request_deletion(role(STAGING), user=operator).request)
    assert deletion.state == "succeeded"
    attempt = deletion.attempts.get()
    assert [e["code"] for e in attempt.transient_errors] == ["Throttling", "Throttling"]
    assert all(e["request_id"] for e in attempt.transient_errors)
    assert not Notification.objects.filter(level="error").exists()
    succeeded = AuditEvent.objects.get(action="deletion.succeeded")
    assert len(succeeded.details["transient_errors"]) == 2


def test_retryable_errors_past_the_limit_end_in_error(emulator, synced, operator, settings):
    settings.ROLECALL_AWS_RETRY_LIMIT = 2
    emulator.control.add_faults({"operation": DELETE, "error": "ServiceFailure"})
    deletion = drive_deletion(request_deletion(role(STAGING), user=operator).request)
    assert deletion.state == "error"
    assert calls(emulator, DELETE) == 3
    assert Notification.objects.get(user=operator).level == "error"


def test_a_role_outside_aws_service_role_is_refused(synced, operator):
    target = role(STAGING)
    ServiceLinkedRole.objects.filter(pk=target.pk).update(path="/custom/")
    with pytest.raises(DeletionRefused, match="Only service-linked roles"):
        request_deletion(role(STAGING), user=operator)
    assert not DeletionRequest.objects.exists()


def test_retry_is_refused_unless_the_request_failed(emulator, synced, operator):
    deletion = drive_deletion(request_deletion(role(STAGING), user=operator).request)
    with pytest.raises(DeletionRefused, match="Only a failed deletion"):
        retry_deletion(deletion, user=operator)


def test_backoff_doubles_and_is_capped(settings):
    from roles.jobs import backoff

    settings.ROLECALL_POLL_BACKOFF_START, settings.ROLECALL_POLL_BACKOFF_CAP = 1, 8
    assert [backoff(n) for n in range(1, 7)] == [1, 2, 4, 8, 8, 8]

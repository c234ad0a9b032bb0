"""What the deletion tasks do: submit to AWS, poll the status, finish.

Every step re-reads the request under a row lock and acts only from the state
it expects, so a task run twice (redelivery, the sweeper, two workers) makes
at most one AWS state change: AWS returns the same DeletionTaskId while a
task is unfinished, and the attempt stores the first one it sees.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from roles.aws import iam
from roles.aws.errors import AwsError
from roles.aws.session import AccountSession
from roles.deletion import evidence
from roles.deletion.service import dispatch_poll, dispatch_submit
from roles.models import (
    AuditEvent,
    DeletionAttempt,
    DeletionRequest,
    Notification,
    Outcome,
    ServiceLinkedRole,
)
from roles.notify import notify
from roles.protection import protected_because

State = DeletionRequest.State
Status = DeletionAttempt.Status
SUBMIT, POLL = "submit", "poll"


def backoff(n: int) -> float:
    """1 s, 2 s, 4 s ... capped: countdowns stay far below the broker's visibility timeout."""
    start, cap = settings.ROLECALL_POLL_BACKOFF_START, settings.ROLECALL_POLL_BACKOFF_CAP
    return float(min(start * 2 ** max(n - 1, 0), cap))


def _locked(request_id: int) -> tuple[DeletionRequest | None, DeletionAttempt | None]:
    deletion = (
        DeletionRequest.objects.select_for_update()
        .select_related("account", "role")
        .filter(pk=request_id)
        .first()
    )
    if deletion is None:
        return None, None
    attempt = (
        DeletionAttempt.objects.select_for_update()
        .filter(request=deletion)
        .order_by("-number")
        .first()
    )
    return deletion, attempt


def _session(deletion: DeletionRequest) -> AccountSession:
    # One attempt per call: retryable errors come back here, are recorded on
    # the attempt and retried on a schedule kept in the database.
    return AccountSession(deletion.account.target(), attempts=1)


def _client(deletion: DeletionRequest):
    return _session(deletion).client("iam")


def _audit(
    deletion: DeletionRequest,
    action: str,
    attempt: DeletionAttempt,
    *,
    task_id: str = "",
    outcome: str = Outcome.SUCCESS,
    aws_request_id: str = "",
    **details,
) -> None:
    AuditEvent.objects.record(
        action,
        actor_name="system",
        outcome=outcome,
        target_arn=deletion.role_arn,
        account_id=deletion.account.aws_account_id,
        aws_request_id=aws_request_id,
        deletion_task_id=attempt.deletion_task_id,
        task_id=task_id,
        details={"deletion_request": deletion.pk, "attempt": attempt.number, **details},
    )


def _schedule(deletion: DeletionRequest, phase: str, delay: float) -> None:
    deletion.next_poll_at = timezone.now() + timedelta(seconds=delay)
    deletion.save(update_fields=["state", "next_poll_at", "updated"])
    dispatch = dispatch_submit if phase == SUBMIT else dispatch_poll
    transaction.on_commit(lambda: dispatch(deletion.pk, countdown=delay))


# --- submit --------------------------------------------------------------------


def submit(request_id: int, task_id: str = "") -> None:
    """Re-read the facts from AWS, check them in the transaction that records the
    submission, then send DeleteServiceLinkedRole through the same credentials.

    The slow part (AssumeRole, GetCallerIdentity, GetRole, the ECS regions) runs
    with no transaction open; the protected list, the account binding and the
    approved evidence are all checked after it, under the row lock, so a rule
    added or an account re-pointed while it ran still stops the call.
    """
    with transaction.atomic():
        deletion, attempt = _locked(request_id)
        if deletion is None or deletion.state not in (State.QUEUED, State.SUBMITTED):
            return
        if attempt.deletion_task_id:
            # Submitted already (a redelivered message): just make sure polling goes on.
            deletion.state = State.SUBMITTED
            _schedule(deletion, POLL, 0)
            return
    try:
        session = _session(deletion)
        fresh = evidence.read_from_aws(deletion, session, blockers=deletion.approval_required)
    except AwsError as exc:
        _aws_error(request_id, exc, SUBMIT, task_id)
        return
    with transaction.atomic():
        deletion, attempt = _locked(request_id)
        if deletion is None or deletion.state not in (State.QUEUED, State.SUBMITTED):
            return
        if attempt.deletion_task_id:
            return  # another delivery submitted meanwhile; its poll is scheduled
        # The stored account and the bound one (they differ only if the row was
        # re-pointed, which the binding check below refuses too).
        reason = None
        for account_id in dict.fromkeys(
            (deletion.account.aws_account_id, deletion.bound_account_id)
        ):
            reason = reason or protected_because(
                role_name=deletion.role_name, role_arn=deletion.role_arn, account_id=account_id
            )
        if reason:
            return _refuse_protected(deletion, attempt, task_id, reason)
        broken = evidence.binding_changes(deletion, fresh)
        if broken:
            return _refuse_unbound(deletion, attempt, task_id, broken, fresh)
        if not fresh.role_arn:
            return _succeed(
                deletion,
                attempt,
                task_id,
                fresh.request_id,
                note="The role was already absent: GetRole answered NoSuchEntity.",
            )
        if deletion.approval_required:
            changes = evidence.differences(deletion.evidence, fresh.evidence)
            if changes:
                return _void_approval(deletion, attempt, task_id, fresh.evidence, changes)
        attempt.checked_at = timezone.now()
        attempt.save(update_fields=["checked_at"])
    try:
        submitted = iam.delete_service_linked_role(session.client("iam"), deletion.role_name)
    except AwsError as exc:
        _aws_error(request_id, exc, SUBMIT, task_id)
        return
    with transaction.atomic():
        deletion, attempt = _locked(request_id)
        if deletion is None or deletion.state not in (State.QUEUED, State.SUBMITTED):
            return
        if not attempt.deletion_task_id:
            attempt.deletion_task_id = submitted.deletion_task_id
            attempt.submit_request_id = submitted.request_id
            attempt.status, attempt.submitted_at = Status.NOT_STARTED, timezone.now()
            attempt.save(
                update_fields=["deletion_task_id", "submit_request_id", "status", "submitted_at"]
            )
            _audit(
                deletion,
                "deletion.submitted",
                attempt,
                task_id=task_id,
                aws_request_id=submitted.request_id,
                caller_account=fresh.account_id,
                role_id=fresh.role_id,
                checked_at=attempt.checked_at.isoformat() if attempt.checked_at else None,
            )
        elif attempt.deletion_task_id != submitted.deletion_task_id:
            # AWS handed out a second task id: keep the first, record the second.
            _audit(
                deletion,
                "deletion.status_changed",
                attempt,
                task_id=task_id,
                outcome=Outcome.FAILURE,
                aws_request_id=submitted.request_id,
                unexpected_task_id=submitted.deletion_task_id,
            )
        deletion.state = State.SUBMITTED
        _schedule(deletion, POLL, backoff(1))


def _refuse_protected(deletion, attempt, task_id: str, reason: str) -> None:
    error = {"code": "Protected", "message": reason, "request_id": "", "operation": ""}
    attempt.status, attempt.finished_at, attempt.error = Status.ERROR, timezone.now(), error
    attempt.save(update_fields=["status", "finished_at", "error"])
    _close(deletion, State.FAILED, error)
    _audit(
        deletion,
        "deletion.refused",
        attempt,
        task_id=task_id,
        outcome=Outcome.DENIED,
        reason=reason,
    )
    notify(
        _recipients(deletion),
        f"Deletion of {deletion.role_name} in {deletion.account.name} refused",
        level=Notification.Level.ERROR,
        body=reason,
        **_links(deletion),
    )


def _refuse_unbound(deletion, attempt, task_id: str, changes: list[dict], fresh) -> None:
    """The account or the role is not the one the request was confirmed (and approved) for:
    the approval is void and the request ends; nothing was sent to AWS."""
    fields = ", ".join(c["field"] for c in changes)
    message = (
        f"Not sent: the {fields} changed since the request was confirmed. "
        "Nothing was deleted; refresh the account and request the deletion again."
    )
    error = {
        "code": "BindingChanged",
        "message": message,
        "request_id": fresh.request_id,
        "operation": "GetCallerIdentity",
    }
    approver = deletion.approved_by
    attempt.status, attempt.finished_at, attempt.error = Status.ERROR, timezone.now(), error
    attempt.save(update_fields=["status", "finished_at", "error"])
    deletion.approved_by, deletion.approved_at, deletion.voided_changes = None, None, changes
    deletion.save(update_fields=["approved_by", "approved_at", "voided_changes", "updated"])
    _close(deletion, State.FAILED, error)
    _audit(
        deletion,
        "deletion.refused",
        attempt,
        task_id=task_id,
        outcome=Outcome.DENIED,
        aws_request_id=fresh.request_id,
        reason=message,
        changes=changes,
        approved_by=approver.get_username() if approver else "",
    )
    notify(
        [*_recipients(deletion), *([approver] if approver else [])],
        f"Deletion of {deletion.role_name} in {deletion.account.name} stopped: "
        "the account or role changed",
        level=Notification.Level.ERROR,
        body=message,
        **_links(deletion),
    )


def _void_approval(deletion, attempt, task_id: str, fresh: dict, changes: list[dict]) -> None:
    """The evidence changed since approval: back to awaiting approval, on the new evidence."""
    from roles.deletion.service import replace_evidence

    approver = deletion.approved_by
    deletion.state, deletion.approved_by, deletion.approved_at = (
        State.AWAITING_APPROVAL,
        None,
        None,
    )
    replace_evidence(deletion, fresh)
    deletion.voided_changes, deletion.next_poll_at = changes, None
    deletion.save(
        update_fields=[
            "state",
            "approved_by",
            "approved_at",
            "evidence",
            "evidence_version",
            "evidence_log",
            "voided_changes",
            "next_poll_at",
            "updated",
        ]
    )
    _audit(
        deletion,
        "deletion.approval_voided",
        attempt,
        task_id=task_id,
        outcome=Outcome.FAILURE,
        changes=changes,
        approved_by=approver.get_username() if approver else "",
        evidence_version=deletion.evidence_version,
    )
    fields = ", ".join(c["field"].replace("_", " ") for c in changes)
    notify(
        [*_recipients(deletion), *([approver] if approver else [])],
        f"Approval of the deletion of {deletion.role_name} in {deletion.account.name} voided",
        level=Notification.Level.WARNING,
        body=f"The evidence changed since it was approved ({fields}); approve it again.",
        **_links(deletion),
    )


# --- poll ----------------------------------------------------------------------


def poll(request_id: int, task_id: str = "") -> None:
    with transaction.atomic():
        deletion, attempt = _locked(request_id)
        if deletion is None or deletion.state not in (State.SUBMITTED, State.IN_PROGRESS):
            return
        if not attempt.deletion_task_id:
            _schedule(deletion, SUBMIT, 0)
            return
        due = deletion.next_poll_at
        if due and due > timezone.now() + timedelta(seconds=settings.ROLECALL_POLL_EARLY_TOLERANCE):
            return  # a duplicate message; the scheduled poll will come
    try:
        status = iam.deletion_status(_client(deletion), attempt.deletion_task_id)
    except AwsError as exc:
        _aws_error(request_id, exc, POLL, task_id)
        return
    with transaction.atomic():
        deletion, attempt = _locked(request_id)
        if deletion is None or deletion.state not in (State.SUBMITTED, State.IN_PROGRESS):
            return
        if deletion.next_poll_at != due:
            return  # another poll of the same step got here first
        attempt.polls += 1
        if status.status in (Status.NOT_STARTED, Status.IN_PROGRESS):
            if attempt.status != status.status:
                _audit(
                    deletion,
                    "deletion.status_changed",
                    attempt,
                    task_id=task_id,
                    aws_request_id=status.request_id,
                    status=status.status,
                    previous=attempt.status,
                )
            attempt.status = status.status
            attempt.save(update_fields=["status", "polls"])
            deletion.state = State.IN_PROGRESS
            _schedule(deletion, POLL, backoff(attempt.polls + 1))
        elif status.status == Status.SUCCEEDED:
            _succeed(deletion, attempt, task_id, status.request_id)
        else:
            _fail(deletion, attempt, task_id, status)


# --- outcomes ------------------------------------------------------------------


def _links(deletion: DeletionRequest) -> dict:
    return {
        "link": reverse("deletion-detail", args=[deletion.pk]),
        "secondary_link": reverse("role-detail", args=[deletion.role_id]) + "#blockers",
    }


def _recipients(deletion: DeletionRequest) -> list:
    """The requesters (whoever asked for an attempt) and the approver."""
    from django.contrib.auth import get_user_model

    from roles.deletion.service import requesters

    people = list(get_user_model().objects.filter(pk__in=requesters(deletion)))
    if deletion.approved_by_id and deletion.approved_by_id not in {u.pk for u in people}:
        people.append(deletion.approved_by)
    return people


def _close(deletion: DeletionRequest, state: str, error: dict | None = None) -> None:
    deletion.state, deletion.finished, deletion.next_poll_at = state, timezone.now(), None
    deletion.last_error = error or {}
    deletion.save(update_fields=["state", "finished", "next_poll_at", "last_error", "updated"])


def _succeed(deletion, attempt, task_id: str, request_id: str, note: str = "") -> None:
    attempt.status, attempt.finished_at = Status.SUCCEEDED, timezone.now()
    attempt.reason = note
    attempt.save(update_fields=["status", "finished_at", "reason", "polls", "missing_checks"])
    _close(deletion, State.SUCCEEDED)
    ServiceLinkedRole.objects.filter(pk=deletion.role_id).update(
        state=ServiceLinkedRole.State.DELETED, gone_since=timezone.now()
    )
    _audit(
        deletion,
        "deletion.succeeded",
        attempt,
        task_id=task_id,
        aws_request_id=request_id,
        note=note,
        transient_errors=attempt.transient_errors,
    )
    notify(
        _recipients(deletion),
        f"Deletion of {deletion.role_name} in {deletion.account.name} succeeded",
        level=Notification.Level.SUCCESS,
        body=note,
        **_links(deletion),
    )


def _fail(deletion, attempt, task_id: str, status: iam.DeletionStatus) -> None:
    attempt.status, attempt.finished_at = Status.FAILED, timezone.now()
    attempt.reason, attempt.role_usage_list = status.reason, status.role_usage_list
    attempt.save(update_fields=["status", "finished_at", "reason", "role_usage_list", "polls"])
    _close(deletion, State.FAILED)
    _audit(
        deletion,
        "deletion.failed",
        attempt,
        task_id=task_id,
        outcome=Outcome.FAILURE,
        aws_request_id=status.request_id,
        reason=status.reason,
        RoleUsageList=status.role_usage_list,
        transient_errors=attempt.transient_errors,
    )
    regions = len(status.role_usage_list)
    title = f"Deletion of {deletion.role_name} in {deletion.account.name} failed"
    title += f": in use in {regions} region{'s' if regions != 1 else ''}" if regions else ""
    body = (
        "\n".join(f"{u['Region']}: {', '.join(u['Resources'])}" for u in status.role_usage_list)
        or status.reason
    )
    notify(
        _recipients(deletion), title, level=Notification.Level.ERROR, body=body, **_links(deletion)
    )


def _end_with_error(deletion, attempt, task_id: str, exc: AwsError, *, state: str) -> None:
    attempt.status, attempt.finished_at, attempt.error = Status.ERROR, timezone.now(), exc.as_dict()
    attempt.save(
        update_fields=["status", "finished_at", "error", "transient_errors", "missing_checks"]
    )
    _close(deletion, state, exc.as_dict())
    denied = exc.code in ("AccessDenied", "AccessDeniedException", "UnauthorizedOperation")
    _audit(
        deletion,
        "deletion.failed",
        attempt,
        task_id=task_id,
        outcome=Outcome.DENIED if denied else Outcome.FAILURE,
        aws_request_id=exc.request_id,
        error=exc.as_dict(),
        transient_errors=attempt.transient_errors,
    )
    notify(
        _recipients(deletion),
        f"Deletion of {deletion.role_name} in {deletion.account.name} failed: {exc.code}",
        level=Notification.Level.ERROR,
        body=f"{exc.message} (request id {exc.request_id or 'none'})",
        **_links(deletion),
    )


def _aws_error(request_id: int, exc: AwsError, phase: str, task_id: str) -> None:
    """Classify an AWS error: wait and try again, confirm absence, or end the attempt."""
    if exc.code == "NoSuchEntity":
        if phase == SUBMIT:
            return _already_absent(request_id, exc, task_id)
        return _task_missing(request_id, exc, task_id)
    with transaction.atomic():
        deletion, attempt = _locked(request_id)
        if deletion is None or deletion.state not in DeletionRequest.WORKING:
            return
        if exc.retryable:
            attempt.transient_errors = [
                *attempt.transient_errors,
                {**exc.as_dict(), "phase": phase},
            ]
            tries = sum(1 for e in attempt.transient_errors if e.get("phase") == phase)
            if tries <= settings.ROLECALL_AWS_RETRY_LIMIT:
                attempt.save(update_fields=["transient_errors"])
                _schedule(deletion, phase, backoff(tries))
                return
            return _end_with_error(deletion, attempt, task_id, exc, state=State.ERROR)
        _end_with_error(deletion, attempt, task_id, exc, state=State.FAILED)


def _already_absent(request_id: int, exc: AwsError, task_id: str) -> None:
    with transaction.atomic():
        deletion, attempt = _locked(request_id)
        if deletion is None or deletion.state not in DeletionRequest.WORKING:
            return
        _succeed(
            deletion,
            attempt,
            task_id,
            exc.request_id,
            note="The role was already absent: DeleteServiceLinkedRole answered NoSuchEntity.",
        )


def _task_missing(request_id: int, exc: AwsError, task_id: str) -> None:
    """NoSuchEntity from the status call: the role may be gone and its task record with it."""
    deletion = DeletionRequest.objects.select_related("account").get(pk=request_id)
    try:
        exists = iam.role_exists(_client(deletion), deletion.role_name)
    except AwsError as check_error:
        return _aws_error(request_id, check_error, POLL, task_id)
    with transaction.atomic():
        deletion, attempt = _locked(request_id)
        if deletion is None or deletion.state not in (State.SUBMITTED, State.IN_PROGRESS):
            return
        if not exists:
            return _succeed(
                deletion,
                attempt,
                task_id,
                exc.request_id,
                note="The deletion task record was gone and GetRole confirmed the role is too.",
            )
        attempt.missing_checks += 1
        if attempt.missing_checks <= settings.ROLECALL_MISSING_TASK_CHECKS:
            attempt.save(update_fields=["missing_checks"])
            _schedule(deletion, POLL, backoff(attempt.missing_checks))
            return
        _end_with_error(deletion, attempt, task_id, exc, state=State.ERROR)

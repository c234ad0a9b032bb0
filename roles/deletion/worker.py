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
from django.utils import timezone

from roles.audit.models import Outcome
from roles.aws import iam
from roles.aws.account import AccountAws
from roles.aws.errors import AwsError
from roles.core.models import AccountPaused
from roles.deletion import evidence, outcomes
from roles.deletion.kind import POLL, SUBMIT, send_after_commit
from roles.deletion.models import DeletionAttempt, DeletionRequest
from roles.inventory.protection import protected_because
from roles.jobs import backoff

State = DeletionRequest.State
Status = DeletionAttempt.Status


SUBMITTABLE = (State.QUEUED, State.SUBMITTED)
POLLED = (State.SUBMITTED, State.IN_PROGRESS)


def _locked(
    request_id: int, states: tuple[str, ...]
) -> tuple[DeletionRequest | None, DeletionAttempt | None]:
    """The request and its latest attempt, locked, if the request is in one of `states`
    (else None, None: another delivery moved it on, and this one has nothing to do)."""
    deletion = (
        DeletionRequest.objects.select_for_update(no_key=True)
        .select_related("account", "role")
        .filter(pk=request_id, state__in=states)
        .first()
    )
    if deletion is None:
        return None, None
    attempt = (
        DeletionAttempt.objects.select_for_update(no_key=True)
        .filter(request=deletion)
        .order_by("-number")
        .first()
    )
    return deletion, attempt


def _aws(deletion: DeletionRequest) -> AccountAws:
    """The account's read session (the evidence re-read, GetRole)."""
    # One attempt per call: retryable errors come back here, are recorded on
    # the attempt and retried on a schedule kept in the database.
    return AccountAws.for_account(deletion.account, attempts=1)


def _changer(deletion: DeletionRequest, reader: AccountAws, fresh) -> tuple[AccountAws, str, str]:
    """The session DeleteServiceLinkedRole goes through, the account it answers for
    ("" when it is the read session, already checked) and the ARN AWS sees it as."""
    if not deletion.account.separates_changes:
        return reader, "", fresh.caller_arn
    changer = AccountAws.for_change(deletion.account, deletion.aws_change())
    identity = changer.identity()
    return changer, identity.account, identity.arn


def _iam(deletion: DeletionRequest):
    """The change session's IAM client, for the status calls of the deletion it made."""
    return AccountAws.for_change(deletion.account, deletion.aws_change()).iam()


def _schedule(deletion: DeletionRequest, phase: str, delay: float) -> None:
    deletion.next_poll_at = timezone.now() + timedelta(seconds=delay)
    deletion.save(update_fields=["state", "next_poll_at", "updated"])
    send_after_commit(phase, deletion.pk, countdown=delay)


def _status_changed(deletion, attempt, task_id, request_id, outcome, details) -> None:
    outcomes.audit(
        deletion,
        "deletion.status_changed",
        attempt,
        task_id=task_id,
        outcome=outcome,
        aws_request_id=request_id,
        **details,
    )


def _in_lock(request_id: int, states: tuple[str, ...], step):
    """step(deletion, attempt) with the request and its latest attempt locked, in one
    short transaction, if the request is still in one of `states`; else None (another
    delivery moved it on, and this one has nothing to do)."""
    with transaction.atomic():
        deletion, attempt = _locked(request_id, states)
        return None if deletion is None else step(deletion, attempt)


# --- submit --------------------------------------------------------------------


def submit(request_id: int, task_id: str = "") -> None:
    """Re-read the facts from AWS through the read role, check them in the transaction
    that records the submission, then send DeleteServiceLinkedRole through the change
    session (roles/aws/change.py), which must answer for the same account.

    The slow part (AssumeRole, GetCallerIdentity, GetRole, the ECS regions, the
    change role's AssumeRole and GetCallerIdentity) runs with no transaction open;
    the protected list, the account binding and the approved evidence are all
    checked after it, under the row lock, so a rule added or an account re-pointed
    while it ran still stops the call.
    """
    deletion = _in_lock(request_id, SUBMITTABLE, _unsubmitted)
    if deletion is None:
        return
    try:
        aws = _aws(deletion)
        fresh = evidence.read_from_aws(deletion, aws, blockers=deletion.approval_required)
        changer, change_account, changed_as = _changer(deletion, aws, fresh)
    except AwsError as exc:
        return _aws_error(request_id, exc, SUBMIT, task_id)

    def checked(deletion, attempt) -> bool:
        return _may_submit(deletion, attempt, task_id, fresh, change_account)

    if not _in_lock(request_id, SUBMITTABLE, checked):
        return
    try:
        submitted = iam.delete_service_linked_role(changer.iam(), deletion.role_name)
    except AwsError as exc:
        return _aws_error(request_id, exc, SUBMIT, task_id)

    def record(deletion, attempt) -> None:
        _submitted(deletion, attempt, task_id, submitted, fresh, changed_as)

    _in_lock(request_id, SUBMITTABLE, record)


def _unsubmitted(deletion: DeletionRequest, attempt: DeletionAttempt):
    """The request, if its attempt still has to be sent to AWS."""
    if attempt.deletion_task_id:
        # Submitted already (a redelivered message): just make sure polling goes on.
        deletion.state = State.SUBMITTED
        _schedule(deletion, POLL, 0)
        return None
    return deletion


def _may_submit(deletion, attempt, task_id: str, fresh, change_account: str) -> bool:
    """Under the lock, after the slow reads: every rule that holds whatever happened
    while AWS answered. False when the request ended (refused, voided, or the role
    already gone) or another delivery submitted meanwhile."""
    if attempt.deletion_task_id:
        return False  # another delivery submitted meanwhile; its poll is scheduled
    # The stored account and the bound one (they differ only if the row was
    # re-pointed, which the binding check below refuses too).
    reason = None
    for account_id in dict.fromkeys((deletion.account.aws_account_id, deletion.bound_account_id)):
        reason = reason or protected_because(
            role_name=deletion.role_name, role_arn=deletion.role_arn, account_id=account_id
        )
    ended = _ended_before_submit(deletion, attempt, task_id, fresh, change_account, reason)
    if not ended:
        attempt.checked_at = timezone.now()
        attempt.save(update_fields=["checked_at"])
    return not ended


def _ended_before_submit(deletion, attempt, task_id, fresh, change_account, protected) -> bool:
    """End the request if a rule stops it now (protected, paused, re-pointed, already
    gone, its evidence changed since the approval); True when one did."""
    if protected:
        outcomes.refuse_protected(deletion, attempt, task_id, protected)
        return True
    try:
        deletion.account.refuse_changes()
    except AccountPaused as exc:  # suspended, gone or excluded since the approval
        outcomes.refuse_paused(deletion, attempt, task_id, str(exc))
        return True
    broken = evidence.binding_changes(deletion, fresh, change_account)
    if broken:
        outcomes.refuse_unbound(deletion, attempt, task_id, broken, fresh)
        return True
    if not fresh.role_arn:
        note = "The role was already absent: GetRole answered NoSuchEntity."
        outcomes.succeed(deletion, attempt, task_id, fresh.request_id, note=note)
        return True
    changes = (
        evidence.differences(deletion.evidence, fresh.evidence)
        if deletion.approval_required
        else []
    )
    if changes:
        outcomes.void_approval(deletion, attempt, task_id, fresh.evidence, changes)
    return bool(changes)


def _submitted(deletion, attempt, task_id: str, submitted, fresh, changed_as: str) -> None:
    """AWS took the deletion: keep its task id (the first, if a redelivery got another)
    and poll it."""
    if not attempt.deletion_task_id:
        attempt.deletion_task_id = submitted.deletion_task_id
        attempt.submit_request_id = submitted.request_id
        attempt.status, attempt.submitted_at = Status.NOT_STARTED, timezone.now()
        attempt.changed_as = changed_as
        attempt.save(
            update_fields=[
                "deletion_task_id",
                "submit_request_id",
                "status",
                "submitted_at",
                "changed_as",
            ]
        )
        outcomes.audit(
            deletion,
            "deletion.submitted",
            attempt,
            task_id=task_id,
            aws_request_id=submitted.request_id,
            caller_account=fresh.account_id,
            changed_as=changed_as,
            role_id=fresh.role_id,
            checked_at=attempt.checked_at.isoformat() if attempt.checked_at else None,
        )
    elif attempt.deletion_task_id != submitted.deletion_task_id:
        # AWS handed out a second task id: keep the first, record the second.
        unexpected = {"unexpected_task_id": submitted.deletion_task_id}
        _status_changed(
            deletion, attempt, task_id, submitted.request_id, Outcome.FAILURE, unexpected
        )
    deletion.state = State.SUBMITTED
    _schedule(deletion, POLL, backoff(1))


# --- poll ----------------------------------------------------------------------


def poll(request_id: int, task_id: str = "") -> None:
    found = _in_lock(request_id, POLLED, _due_poll)
    if found is None:
        return
    deletion, deletion_task_id, due = found
    try:
        status = iam.deletion_status(_iam(deletion), deletion_task_id)
    except AwsError as exc:
        return _aws_error(request_id, exc, POLL, task_id)

    def record(deletion, attempt) -> None:
        if deletion.next_poll_at != due:
            return  # another poll of the same step got here first
        _polled(deletion, attempt, task_id, status)

    _in_lock(request_id, POLLED, record)


def _due_poll(deletion: DeletionRequest, attempt: DeletionAttempt):
    """(the request, the AWS task to poll, the poll this message is: next_poll_at); None
    when it is not that poll (nothing submitted yet, or a duplicate arriving early)."""
    if not attempt.deletion_task_id:
        _schedule(deletion, SUBMIT, 0)
        return None
    due = deletion.next_poll_at
    if due and due > timezone.now() + timedelta(seconds=settings.ROLECALL_POLL_EARLY_TOLERANCE):
        return None  # a duplicate message; the scheduled poll will come
    return deletion, attempt.deletion_task_id, due


def _polled(deletion, attempt, task_id: str, status) -> None:
    attempt.polls += 1
    if status.status in (Status.NOT_STARTED, Status.IN_PROGRESS):
        if attempt.status != status.status:
            moved = {"status": status.status, "previous": attempt.status}
            _status_changed(deletion, attempt, task_id, status.request_id, Outcome.SUCCESS, moved)
        attempt.status = status.status
        attempt.save(update_fields=["status", "polls"])
        deletion.state = State.IN_PROGRESS
        _schedule(deletion, POLL, backoff(attempt.polls + 1))
    elif status.status == Status.SUCCEEDED:
        outcomes.succeed(deletion, attempt, task_id, status.request_id)
    else:
        outcomes.fail(deletion, attempt, task_id, status)


def _aws_error(request_id: int, exc: AwsError, phase: str, task_id: str) -> None:
    """Classify an AWS error: wait and try again, confirm absence, or end the attempt."""
    if exc.code == "NoSuchEntity":
        if phase == SUBMIT:
            return _already_absent(request_id, exc, task_id)
        return _task_missing(request_id, exc, task_id)

    def retry_or_end(deletion, attempt) -> None:
        if exc.retryable:
            attempt.transient_errors = [
                *attempt.transient_errors,
                {**exc.as_dict(), "phase": phase},
            ]
            tries = sum(1 for e in attempt.transient_errors if e.get("phase") == phase)
            if tries <= settings.ROLECALL_AWS_RETRY_LIMIT:
                attempt.save(update_fields=["transient_errors"])
                return _schedule(deletion, phase, backoff(tries))
        state = State.ERROR if exc.retryable else State.FAILED
        outcomes.end_with_error(deletion, attempt, task_id, exc, state=state)

    _in_lock(request_id, DeletionRequest.WORKING, retry_or_end)


def _already_absent(request_id: int, exc: AwsError, task_id: str) -> None:
    note = "The role was already absent: DeleteServiceLinkedRole answered NoSuchEntity."

    def gone(deletion, attempt) -> None:
        outcomes.succeed(deletion, attempt, task_id, exc.request_id, note=note)

    _in_lock(request_id, DeletionRequest.WORKING, gone)


def _task_missing(request_id: int, exc: AwsError, task_id: str) -> None:
    """NoSuchEntity from the status call: the role may be gone and its task record with it."""
    deletion = DeletionRequest.objects.select_related("account").get(pk=request_id)
    try:
        exists = iam.role_exists(_aws(deletion).iam(), deletion.role_name)
    except AwsError as check_error:
        return _aws_error(request_id, check_error, POLL, task_id)

    def confirm(deletion, attempt) -> None:
        if not exists:
            note = "The deletion task record was gone and GetRole confirmed the role is too."
            return outcomes.succeed(deletion, attempt, task_id, exc.request_id, note=note)
        attempt.missing_checks += 1
        if attempt.missing_checks <= settings.ROLECALL_MISSING_TASK_CHECKS:
            attempt.save(update_fields=["missing_checks"])
            return _schedule(deletion, POLL, backoff(attempt.missing_checks))
        outcomes.end_with_error(deletion, attempt, task_id, exc, state=State.ERROR)

    _in_lock(request_id, POLLED, confirm)

"""How a deletion request ends, or stops to wait: each outcome updates the request
and its attempt, writes the audit event and tells the people concerned, in the
caller's transaction (the worker's re-lock after an AWS answer, or the sweeper's).

Every ending goes through close(): the worker's (succeeded, failed, refused, an
AWS error) and the sweeper's give-up (roles/deletion/operation.py) alike.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from roles import jobs
from roles.audit.models import AuditEvent, Outcome
from roles.aws import iam
from roles.aws.errors import AwsError
from roles.deletion.kind import replace_evidence
from roles.deletion.models import DeletionAttempt, DeletionRequest
from roles.inventory.models import ServiceLinkedRole
from roles.inventory.summary import summarise
from roles.notifications.models import Notification, NotificationKind
from roles.notifications.notify import notify, people_concerned

State = DeletionRequest.State
Status = DeletionAttempt.Status
# A campaign's run moves on when one of its deletions ends (registered by roles/campaigns/).
WAKE_CAMPAIGN = "rolecall.campaigns.advance"


def audit(
    deletion: DeletionRequest,
    action: str,
    attempt: DeletionAttempt | None,
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
        deletion_task_id=attempt.deletion_task_id if attempt else "",
        task_id=task_id,
        details={
            "deletion_request": deletion.pk,
            "attempt": attempt.number if attempt else None,
            **({"campaign": deletion.campaign_id} if deletion.campaign_id else {}),
            **details,
        },
    )


def for_campaign(deletion: DeletionRequest, attempt: DeletionAttempt | None) -> bool:
    """The campaign's own attempt at a role (roles/campaigns/run.py). A retry of it is
    someone's own request, told and approved as any other."""
    return bool(deletion.campaign_id) and (attempt is None or attempt.number == 1)


def tell(deletion: DeletionRequest, attempt, people, title: str, **kwargs) -> None:
    """Notify `people` of a deletion's outcome; a campaign's deletion instead wakes its
    campaign, which tells its author and approver once, at the end (roles/campaigns/run.py).
    The campaign is woken by its task's name: deletion knows no more of campaigns."""
    if for_campaign(deletion, attempt):
        jobs.after_commit(WAKE_CAMPAIGN, deletion.campaign_id)
        return
    notify(people, title, kind=NotificationKind.DELETION_OUTCOME, **kwargs)


def close(
    deletion: DeletionRequest,
    attempt: DeletionAttempt | None,
    task_id: str,
    *,
    status: str,
    state: str,
    action: str,
    outcome: str,
    details: dict,
    told: str,
    level: str = Notification.Level.ERROR,
    body: str = "",
    error: dict | None = None,
    aws_request_id: str = "",
    also_tell=(),
) -> None:
    """The one ending of a deletion request: close the attempt (status), if one was made,
    and the request (state, error), audit `action` with `details`, and tell the people
    concerned (and `also_tell`): "<headline> <told>"."""
    if attempt is not None:
        attempt.status, attempt.finished_at = status, timezone.now()
        if error is not None:
            attempt.error = error
        attempt.save(
            update_fields=["status", "finished_at", "error", "reason", "role_usage_list", "polls"]
            + ["transient_errors", "missing_checks"]
        )
    _close_request(deletion, state, error)
    audit(
        deletion,
        action,
        attempt,
        task_id=task_id,
        outcome=outcome,
        aws_request_id=aws_request_id,
        **details,
    )
    people = people_concerned(deletion)
    people += [u for u in also_tell if u.pk not in {p.pk for p in people}]
    title = f"{deletion.headline} {told}"
    tell(deletion, attempt, people, title, level=level, body=body, **links(deletion))


def _refuse(
    deletion, attempt, task_id: str, error: dict, told: str, also_tell=(), **details
) -> None:
    """Nothing was sent to AWS: the attempt ends in error and the request fails, denied."""
    close(
        deletion,
        attempt,
        task_id,
        status=Status.ERROR,
        state=State.FAILED,
        error=error,
        action="deletion.refused",
        outcome=Outcome.DENIED,
        aws_request_id=error["request_id"],
        details=details,
        told=told,
        body=error["message"],
        also_tell=also_tell,
    )


def refuse_protected(deletion, attempt, task_id: str, reason: str) -> None:
    error = {"code": "Protected", "message": reason, "request_id": "", "operation": ""}
    _refuse(deletion, attempt, task_id, error, "refused", reason=reason)


def refuse_paused(deletion, attempt, task_id: str, reason: str) -> None:
    """The account's organization stopped syncing it after the request was approved."""
    error = {"code": "NotSynced", "message": reason, "request_id": "", "operation": ""}
    _refuse(deletion, attempt, task_id, error, "refused", reason=reason)


def refuse_unbound(deletion, attempt, task_id: str, changes: list[dict], fresh) -> None:
    """The account or the role is not the one the request was confirmed (and approved) for:
    the approval is void and the request ends; nothing was sent to AWS."""
    fields = ", ".join(c["field"] for c in changes)
    message = (
        f"Not sent: the {fields} changed since the request was confirmed. "
        "Nothing was deleted; refresh the account and request the deletion again."
    )
    approver = deletion.approved_by
    deletion.approved_by, deletion.approved_at, deletion.voided_changes = None, None, changes
    deletion.save(update_fields=["approved_by", "approved_at", "voided_changes", "updated"])
    error = {
        "code": "BindingChanged",
        "message": message,
        "request_id": fresh.request_id,
        "operation": "GetCallerIdentity",
    }
    stopped = "stopped: the account or role changed"
    _refuse(
        deletion,
        attempt,
        task_id,
        error,
        stopped,
        reason=message,
        changes=changes,
        approved_by=approver.get_username() if approver else "",
        also_tell=[approver] if approver else [],
    )


def skip_changed(deletion, attempt, task_id: str, changes: list[dict]) -> None:
    """A campaign's role whose evidence changed since selection: not sent, and the
    campaign goes on with the rest (its approval covered the evidence as frozen)."""
    fields = ", ".join(c["field"].replace("_", " ") for c in changes)
    message = f"Skipped: the {fields} changed since the campaign froze its evidence."
    deletion.voided_changes = changes
    deletion.save(update_fields=["voided_changes", "updated"])
    error = {"code": "EvidenceChanged", "message": message, "request_id": "", "operation": ""}
    _refuse(deletion, attempt, task_id, error, "skipped", reason=message, changes=changes)


def void_approval(deletion, attempt, task_id: str, fresh: dict, changes: list[dict]) -> None:
    """The evidence changed since approval: back to awaiting approval, on the new evidence."""
    if for_campaign(deletion, attempt):
        return skip_changed(deletion, attempt, task_id, changes)
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
    audit(
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
        [*people_concerned(deletion), *([approver] if approver else [])],
        f"Approval of the deletion of {deletion.role_name} in {deletion.account.name} voided",
        kind=NotificationKind.DELETION_OUTCOME,
        level=Notification.Level.WARNING,
        body=f"The evidence changed since it was approved ({fields}); approve it again.",
        **links(deletion),
    )


def links(deletion: DeletionRequest) -> dict:
    return {
        "link": reverse("deletion-detail", args=[deletion.pk]),
        "secondary_link": reverse("role-detail", args=[deletion.role_id]) + "#blockers",
    }


def _close_request(deletion: DeletionRequest, state: str, error: dict | None = None) -> None:
    deletion.state, deletion.finished, deletion.next_poll_at = state, timezone.now(), None
    deletion.last_error = error or {}
    deletion.save(update_fields=["state", "finished", "next_poll_at", "last_error", "updated"])


def succeed(deletion, attempt, task_id: str, request_id: str, note: str = "") -> None:
    attempt.reason = note
    ServiceLinkedRole.objects.filter(pk=deletion.role_id).update(
        state=ServiceLinkedRole.State.DELETED, gone_since=timezone.now()
    )
    summarise([deletion.account_id])
    close(
        deletion,
        attempt,
        task_id,
        status=Status.SUCCEEDED,
        state=State.SUCCEEDED,
        action="deletion.succeeded",
        outcome=Outcome.SUCCESS,
        aws_request_id=request_id,
        details={"note": note, "transient_errors": attempt.transient_errors},
        told="succeeded",
        level=Notification.Level.SUCCESS,
        body=note,
    )


def fail(deletion, attempt, task_id: str, status: iam.DeletionStatus) -> None:
    """AWS answered FAILED: the reason and, per region, the resources that use the role."""
    attempt.reason, attempt.role_usage_list = status.reason, status.role_usage_list
    regions = len(status.role_usage_list)
    close(
        deletion,
        attempt,
        task_id,
        status=Status.FAILED,
        state=State.FAILED,
        action="deletion.failed",
        outcome=Outcome.FAILURE,
        aws_request_id=status.request_id,
        details={
            "reason": status.reason,
            "RoleUsageList": status.role_usage_list,
            "transient_errors": attempt.transient_errors,
        },
        told="failed"
        + (f": in use in {regions} region{'s' if regions != 1 else ''}" if regions else ""),
        body="\n".join(
            f"{u['Region']}: {', '.join(u['Resources'])}" for u in status.role_usage_list
        )
        or status.reason,
    )


def end_with_error(deletion, attempt, task_id: str, exc: AwsError, *, state: str) -> None:
    close(
        deletion,
        attempt,
        task_id,
        status=Status.ERROR,
        state=state,
        error=exc.as_dict(),
        action="deletion.failed",
        outcome=Outcome.DENIED if exc.denied else Outcome.FAILURE,
        aws_request_id=exc.request_id,
        details={"error": exc.as_dict(), "transient_errors": attempt.transient_errors},
        told=f"failed: {exc.code}",
        body=f"{exc.message} (request id {exc.request_id or 'none'})",
    )

"""The worker's side of a direct change (roles/role_changes/service.py queues it).

apply() claims a queued RoleChange under its row lock (queued -> running: a
message delivered twice finds it running or done and does nothing), checks it
still stands for the account and role the user asked about, assumes the
account's change role for this change alone (roles/aws/change.py: SourceIdentity
the requester, session tags naming the request), makes the one AWS call, and
records the outcome on the row, on the role, in the audit history (as the
requester, from the address they asked from) and as a notification to them.
"""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from roles.access import permissions
from roles.audit.models import AuditEvent, Outcome
from roles.aws import iam
from roles.aws.account import AccountAws
from roles.aws.change import Change
from roles.aws.errors import AwsError
from roles.inventory.models import ServiceLinkedRole
from roles.inventory.sync.service import start_sync
from roles.notifications.models import Notification, NotificationKind
from roles.notifications.notify import notify, people_concerned
from roles.role_changes.models import RoleChange
from roles.role_changes.service import not_synced

State, Kind = RoleChange.State, RoleChange.Kind
# Who may ask for each kind, as its page checks (roles/role_changes/views.py), checked
# again when the worker makes it.
MAY_ASK = {Kind.DESCRIPTION: permissions.can_operate, Kind.CREATE: permissions.can_admin}


def _claim(pk: int, task_id: str) -> RoleChange | None:
    with transaction.atomic():
        change = (
            # Only this row is locked (PostgreSQL locks no nullable side of a join).
            RoleChange.objects.select_for_update(of=("self",), no_key=True)
            .select_related("account", "role", "requested_by")
            .filter(pk=pk, state=State.QUEUED)
            .first()
        )
        if change is None:
            return None
        change.state, change.started, change.task_id = State.RUNNING, timezone.now(), task_id
        change.save(update_fields=["state", "started", "task_id", "updated"])
    return change


def _bound(change: RoleChange) -> None:
    """Refuse a change whose requester lost the right to ask for it, or whose account
    or role moved, since the user asked."""
    user = change.requested_by
    if user is None or not MAY_ASK[change.kind](user):
        raise AwsError(
            "NotAllowed",
            f"{change.requested_by_name} may no longer ask for this change (their account "
            "was disabled or their group changed since they asked): nothing was changed.",
        )
    account = change.account
    account.refuse_changes(not_synced)
    if account.aws_account_id != change.bound_account_id:
        raise AwsError(
            "AccountChanged",
            f"{account.name} now points at account {account.aws_account_id}, not "
            f"{change.bound_account_id} as when this change was asked for: nothing was changed.",
        )
    role = change.role
    if change.kind == Kind.DESCRIPTION and (role is None or role.arn != change.target_arn):
        raise AwsError(
            "RoleChanged",
            f"{change.target_arn} is no longer the role rolecall knows as {change.subject}: "
            "nothing was changed.",
        )


def _session(change: RoleChange) -> AccountAws:
    """The change session for this change, checked to act in the bound account."""
    account = change.account
    aws = AccountAws.for_change(
        account,
        Change(
            f"{change.kind}-{change.pk}",
            change.requested_by_name,
            requester_id=change.requested_by_id,
        ),
        attempts=None,
    )
    if not account.separates_changes:
        return aws
    change.change_session = f"{change.kind}-{change.pk}"
    change.changed_as = aws.session.assumed_arn
    parts = change.changed_as.split(":")
    reached = parts[4] if len(parts) > 5 else ""
    if reached != change.bound_account_id:
        # AssumeRole's answer names the account the session acts in: never change
        # another account's role of the same name.
        raise AwsError(
            "WrongAccount",
            f"The change role {account.change_role_arn} acts in account {reached or '?'}, "
            f"not {change.bound_account_id}: nothing was changed.",
            operation="AssumeRole",
        )
    return aws


def _call(change: RoleChange) -> None:
    """The AWS call; fills in the row's request id (and a created role's ARN)."""
    _bound(change)
    client = _session(change).iam()
    p = change.params
    if change.kind == Kind.DESCRIPTION:
        change.aws_request_id = iam.update_role_description(client, change.subject, p["new"])
        return
    summary, change.aws_request_id = iam.create_service_linked_role(
        client, p["service_principal"], p["description"], p["custom_suffix"]
    )
    change.target_arn = summary.arn
    change.params = {**p, "role_name": summary.name}


def _details(change: RoleChange, **more) -> dict:
    session = (
        {"change_session": change.change_session, "changed_as": change.changed_as}
        if change.changed_as
        else {}
    )
    return {"role_change": change.pk, **change.params, **session, **more}


def finish(change: RoleChange, error: dict | None, *, notify_body: str = "") -> None:
    """Close a running change (succeeded, or failed with `error`): the row, the role,
    the audit event and the requester's notification, in one transaction."""
    change.state = State.FAILED if error else State.SUCCEEDED
    change.error, change.finished = error or {}, timezone.now()
    with transaction.atomic():
        change.save()
        if not error and change.kind == Kind.DESCRIPTION:
            ServiceLinkedRole.objects.filter(pk=change.role_id).update(
                description=change.params["new"]
            )
        AuditEvent.objects.record(
            change.action,
            actor=change.requested_by,
            actor_name=change.requested_by_name,
            source_ip=change.source_ip,
            outcome=Outcome.FAILURE if error else Outcome.SUCCESS,
            account_id=change.bound_account_id,
            target_arn=change.target_arn,
            aws_request_id=change.aws_request_id or (error or {}).get("request_id", ""),
            task_id=change.task_id,
            details=_details(change, **({"error": error} if error else {})),
        )
        _tell(change, error, notify_body)


def _tell(change: RoleChange, error: dict | None, body: str) -> None:
    account = change.account
    if change.kind == Kind.DESCRIPTION:
        what = f"Description of {change.subject} in {account.name}"
        link = reverse("role-detail", args=[change.role_id]) if change.role_id else ""
    else:
        what = f"{change.params.get('role_name') or change.label} in {account.name}"
        link = reverse("account-detail", args=[account.pk])
    if error:
        rid = f" (request id {error['request_id']})" if error.get("request_id") else ""
        title = f"{what}: not changed, {error['code']}"
        body = body or f"{error['code']}: {error['message']}{rid}"
        level = Notification.Level.ERROR
    elif change.kind == Kind.DESCRIPTION:
        title, level = f"{what} updated", Notification.Level.SUCCESS
    else:
        title, level = f"{what} created", Notification.Level.SUCCESS
        body = "It appears in the role list after the sync."
    notify(
        people_concerned(change),
        title,
        kind=NotificationKind.DELETION_OUTCOME,
        level=level,
        body=body,
        link=link,
    )


def apply(pk: int, task_id: str = "") -> str:
    """Make one queued change in AWS; its final state (or what stopped it)."""
    change = _claim(pk, task_id)
    if change is None:
        return "not queued"
    try:
        _call(change)
    except AwsError as exc:
        finish(change, exc.as_dict())
        return State.FAILED
    finish(change, None)
    if change.kind == Kind.CREATE:
        # The new role reaches the database the normal way: a sync of its account.
        start_sync(change.account, user=change.requested_by, reason="role created")
    return State.SUCCEEDED

"""Changes the pages make in AWS directly (not through an approval): a role's
description, a new service-linked role, an account's connection test.

Each function makes its AWS call through the account's change session
(roles/aws/change.py: its change role, naming the user), outside
any transaction, then writes the model change and its audit event in one.
A refused call is audited as a failure and its AwsError raised to the view.
"""

from __future__ import annotations

import secrets

from django.db import transaction
from django.urls import reverse

from roles.aws import iam
from roles.aws.account import AccountAws
from roles.aws.change import Change
from roles.aws.errors import AwsError
from roles.aws.sts import Identity
from roles.models import Account, AuditEvent, Notification, Outcome, ServiceLinkedRole
from roles.notify import notify
from roles.sync.service import start_sync


def _refused(
    action: str, exc: AwsError, *, request, account: Account, target_arn: str = "", **details
) -> AwsError:
    """Audit a change AWS refused (outcome failure, its error and request id)."""
    AuditEvent.objects.record(
        action,
        request=request,
        outcome=Outcome.FAILURE,
        account_id=account.aws_account_id,
        target_arn=target_arn,
        aws_request_id=exc.request_id,
        details={**details, "error": exc.as_dict()},
    )
    return exc


def _change_session(account: Account, kind: str, request) -> tuple[AccountAws, dict]:
    """The change session for one direct change (roles/aws/change.py) and what the
    audit event records of it: the session's request name and who AWS saw calling."""
    if account.paused:  # suspended, closed, gone or excluded (roles/discovery.py)
        raise AwsError("NotSynced", f"{account.paused_text} Nothing was changed.")
    change = Change(f"{kind}-{secrets.token_hex(8)}", request.user.get_username())
    aws = AccountAws.for_change(account, change, attempts=None)
    if not account.separates_changes:
        return aws, {}
    changed_as = aws.session.assumed_arn
    reached = changed_as.split(":")[4] if changed_as.count(":") >= 5 else ""
    if reached != account.aws_account_id:
        # AssumeRole's answer names the account the session acts in: never change
        # another account's role of the same name.
        raise AwsError(
            "WrongAccount",
            f"The change role {account.change_role_arn} acts in account {reached or '?'}, "
            f"not {account.aws_account_id}: nothing was changed.",
            operation="AssumeRole",
        )
    return aws, {"change_session": change.request, "changed_as": changed_as}


def update_description(role: ServiceLinkedRole, new: str, *, request) -> None:
    """iam:UpdateRoleDescription, then the role row and role.description_edited."""
    old = role.description
    audit = {"request": request, "target_arn": role.arn, "account_id": role.account.aws_account_id}
    session: dict = {}
    try:
        aws, session = _change_session(role.account, "description", request)
        request_id = iam.update_role_description(aws.iam(), role.name, new)
    except AwsError as exc:
        raise _refused(
            "role.description_edited",
            exc,
            request=request,
            account=role.account,
            target_arn=role.arn,
            old=old,
            new=new,
            **session,
        ) from None
    with transaction.atomic():
        role.description = new
        role.save(update_fields=["description"])
        AuditEvent.objects.record(
            "role.description_edited",
            aws_request_id=request_id,
            details={"old": old, "new": new, **session},
            **audit,
        )
    notify(
        [request.user],
        f"Description of {role.name} in {role.account.name} updated",
        level=Notification.Level.SUCCESS,
        link=reverse("role-detail", args=[role.pk]),
    )


def create_role(
    account: Account, service_principal: str, description: str, custom_suffix: str, *, request
) -> iam.RoleSummary:
    """iam:CreateServiceLinkedRole and role.created; the role itself reaches the
    database through the normal path, a sync of its account, started here."""
    details = {
        "service_principal": service_principal,
        "description": description,
        "custom_suffix": custom_suffix,
    }
    try:
        aws, session = _change_session(account, "create", request)
        details |= session
        summary, request_id = iam.create_service_linked_role(
            aws.iam(), service_principal, description, custom_suffix
        )
    except AwsError as exc:
        raise _refused("role.created", exc, request=request, account=account, **details) from None
    with transaction.atomic():
        AuditEvent.objects.record(
            "role.created",
            request=request,
            target_arn=summary.arn,
            account_id=account.aws_account_id,
            aws_request_id=request_id,
            details=details,
        )
    notify(
        [request.user],
        f"{summary.name} created in {account.name}",
        level=Notification.Level.SUCCESS,
        body="It appears in the role list after the sync.",
        link=reverse("account-detail", args=[account.pk]),
    )
    start_sync(account, user=request.user, request=request, reason="role created")
    return summary


def check_connection(account: Account, *, request) -> tuple[Identity, bool]:
    """sts:GetCallerIdentity through the account's role, audited as
    account.connection_tested. Returns who answered and whether it is another
    account than the one configured (audited as a failure)."""
    try:
        identity = AccountAws.for_account(account).identity()
    except AwsError as exc:
        raise _refused("account.connection_tested", exc, request=request, account=account) from None
    mismatch = identity.account != account.aws_account_id
    AuditEvent.objects.record(
        "account.connection_tested",
        request=request,
        outcome=Outcome.FAILURE if mismatch else Outcome.SUCCESS,
        account_id=account.aws_account_id,
        aws_request_id=identity.request_id,
        details={"arn": identity.arn, "answered_account": identity.account},
    )
    return identity, mismatch

"""Changes the pages ask for directly (not through an approval): a role's
description and a new service-linked role.

The web process never holds a change role. Asking for a description edit or a
role creation stores a RoleChange (queued) with its audit event and publishes it
to the worker once the transaction commits (roles/role_changes/worker.py makes the
call). At most one change of a kind per role (or per principal and suffix) is
active at a time: a double click, a second tab or a stale form gets the one
already queued, never a second AWS call.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from roles import jobs
from roles.audit.models import AuditEvent
from roles.audit.request import client_ip
from roles.aws.errors import AwsError
from roles.core.models import Account
from roles.inventory.models import ServiceLinkedRole
from roles.role_changes.models import RoleChange

Kind = RoleChange.Kind
# The worker's task (roles/role_changes/tasks.py), on the changes queue (ready.py).
APPLY_TASK = "rolecall.changes.apply"


class AlreadyQueued(Exception):
    """A change of the same kind for the same role is queued or running."""

    def __init__(self, change: RoleChange):
        super().__init__(f"{change.label} is already {change.state}.")
        self.change = change


def not_synced(reason: str) -> AwsError:
    """What a change in an account discovery paused answers (Account.refuse_changes)."""
    return AwsError("NotSynced", f"{reason} Nothing was changed.")


def _queue(account: Account, kind: str, subject: str, params: dict, *, request, **row):
    account.refuse_changes(not_synced)
    user = request.user
    try:
        with transaction.atomic():
            change = RoleChange.objects.create(
                kind=kind,
                account=account,
                bound_account_id=account.aws_account_id,
                subject=subject,
                params=params,
                requested_by=user,
                requested_by_name=user.get_username(),
                source_ip=client_ip(request),
                **row,
            )
            AuditEvent.objects.record(
                change.requested_action,
                request=request,
                account_id=account.aws_account_id,
                target_arn=change.target_arn,
                details={"role_change": change.pk, **params},
            )
            jobs.after_commit(APPLY_TASK, change.pk)
    except IntegrityError:
        active = RoleChange.objects.filter(
            account=account, kind=kind, subject=subject, state__in=RoleChange.ACTIVE
        ).first()
        if active is None:  # it finished in between: ask again
            return _queue(account, kind, subject, params, request=request, **row)
        raise AlreadyQueued(active) from None
    return change


def request_description(role: ServiceLinkedRole, new: str, *, request) -> RoleChange:
    """Queue iam:UpdateRoleDescription of `role` to `new` (role.description_edit_requested)."""
    return _queue(
        role.account,
        Kind.DESCRIPTION,
        role.name,
        {"old": role.description, "new": new},
        request=request,
        role=role,
        target_arn=role.arn,
    )


def request_creation(
    account: Account, service_principal: str, description: str, custom_suffix: str, *, request
) -> RoleChange:
    """Queue iam:CreateServiceLinkedRole in `account` (role.create_requested)."""
    params = {
        "service_principal": service_principal,
        "description": description,
        "custom_suffix": custom_suffix,
    }
    return _queue(
        account, Kind.CREATE, f"{service_principal}|{custom_suffix}", params, request=request
    )

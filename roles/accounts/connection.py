"""Testing an account's connection: who answers through its read role."""

from __future__ import annotations

from roles.audit.models import AuditEvent, Outcome
from roles.aws.account import AccountAws
from roles.aws.errors import AwsError
from roles.aws.sts import Identity
from roles.core.models import Account


def check_connection(account: Account, *, request) -> tuple[Identity, bool]:
    """sts:GetCallerIdentity through the account's read role, audited as
    account.connection_tested. Returns who answered and whether it is another
    account than the one configured (audited as a failure)."""
    try:
        identity = AccountAws.for_account(account).identity()
    except AwsError as exc:
        AuditEvent.objects.record(
            "account.connection_tested",
            request=request,
            outcome=Outcome.FAILURE,
            account_id=account.aws_account_id,
            aws_request_id=exc.request_id,
            details={"error": exc.as_dict()},
        )
        raise
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

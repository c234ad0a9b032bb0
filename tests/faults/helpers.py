"""Small helpers shared by the fault tests."""

from __future__ import annotations

from roles.models import AuditEvent, DeletionRequest, Notification, ServiceLinkedRole
from tests.support.processes import wait_for

STAGING, PROD = "222222222222", "111111111111"
DELETE = "iam:DeleteServiceLinkedRole"
STATUS = "iam:GetServiceLinkedRoleDeletionStatus"
GET_ROLE = "iam:GetRole"


def slr(account_id: str, name: str = "AWSServiceRoleForECS") -> ServiceLinkedRole:
    return ServiceLinkedRole.objects.get(account__aws_account_id=account_id, name=name)


def calls(emulator, operation: str | None = None):
    counted = emulator.control.calls()
    return counted["operations"].get(operation, 0) if operation else counted


def wait_terminal(deletion: DeletionRequest, workers=(), timeout: float = 40) -> DeletionRequest:
    def ended():
        deletion.refresh_from_db()
        return deletion.state not in DeletionRequest.ACTIVE

    output = "".join(line for w in workers for line in w.output[-30:])
    wait_for(ended, timeout=timeout, message=f"deletion still {deletion.state}\n{output}")
    return deletion


def wait_state(deletion: DeletionRequest, state: str, timeout: float = 30) -> None:
    def reached():
        deletion.refresh_from_db()
        return deletion.state == state

    wait_for(reached, timeout=timeout, interval=0.05, message=f"never {state}: {deletion.state}")


def notes(user) -> list[tuple[str, str]]:
    return [(n.level, n.title) for n in Notification.objects.filter(user=user).order_by("pk")]


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("seq"))


def not_terminal(*deletions: DeletionRequest) -> int:
    """Requests the test created that are missing or never reached an end state."""
    ids = [d.pk for d in deletions]
    ended = DeletionRequest.objects.filter(pk__in=ids).exclude(state__in=DeletionRequest.ACTIVE)
    return len(ids) - ended.count()

"""Deletion requests as one kind of approved change (roles/approval/__init__.py), and the
rules every path to a deletion checks on the server, whatever a form posted."""

from __future__ import annotations

from roles import approval, jobs
from roles.deletion.evidence import differences
from roles.deletion.models import DeletionRequest
from roles.inventory.models import ServiceLinkedRole
from roles.inventory.protection import role_protection
from roles.inventory.readiness import readiness

State = DeletionRequest.State
SUBMIT, POLL = "submit", "poll"
# The tasks of each phase (roles/deletion/tasks.py), on the changes queue (ready.py).
SUBMIT_TASK, POLL_TASK = "rolecall.deletion.submit", "rolecall.deletion.poll"
# last_error of a queued request whose submit could not be published: its page
# says it waits for the task queue, until the sweeper sends it (roles/jobs/sweeper.py).
BROKER_DOWN = "BrokerUnavailable"


class DeletionRefused(approval.Refused):
    """The request cannot be made; the message is shown to the user."""


def refuse_unless_deletable(role: ServiceLinkedRole) -> None:
    """Server-side rules that hold whatever a form posted."""
    if not role.is_service_linked:
        raise DeletionRefused("Only service-linked roles (path /aws-service-role/) can be deleted.")
    if not role.is_live:
        raise DeletionRefused(
            f"The role is {role.get_state_display().lower()}; there is nothing to delete."
        )
    role.account.refuse_changes(DeletionRefused)
    # The guide's word (Support), or what the last sync found (an organization with
    # all features keeps AWSServiceRoleForOrganizations for good).
    verdict = readiness(role)
    if verdict.verdict == "not_deletable":
        raise DeletionRefused(verdict.text)
    reason = role_protection(role)
    if reason:
        raise DeletionRefused(f"Protected: {reason}")


def replace_evidence(deletion: DeletionRequest, evidence: dict) -> None:
    """New evidence for the request; the old version is kept for stale-form answers.
    The caller saves evidence, evidence_version and evidence_log."""
    deletion.evidence_log = [
        *deletion.evidence_log,
        {"version": deletion.evidence_version, "evidence": deletion.evidence},
    ]
    deletion.evidence, deletion.evidence_version = evidence, deletion.evidence_version + 1


def _broker_down(request_id: int):
    def mark() -> None:
        DeletionRequest.objects.filter(pk=request_id, state=State.QUEUED).update(
            last_error={"code": BROKER_DOWN, "message": "The task queue could not be reached."}
        )

    return mark


def _task(phase: str) -> str:
    return SUBMIT_TASK if phase == SUBMIT else POLL_TASK


def send(phase: str, request_id: int, countdown: float = 0) -> bool:
    """Publish the submit or poll task now; a broker failure is left to the sweeper."""
    return jobs.publish(
        _task(phase), request_id, countdown=countdown, on_failure=_broker_down(request_id)
    )


def send_after_commit(phase: str, request_id: int, countdown: float = 0) -> None:
    jobs.after_commit(
        _task(phase), request_id, countdown=countdown, on_failure=_broker_down(request_id)
    )


def describe(changes: list[dict]) -> str:
    return "; ".join(
        f"{c['field'].replace('_', ' ')}: {c['approved'] or 'none'} → {c['now'] or 'none'}"
        for c in changes
    )


def _stale(deletion: DeletionRequest, version: int | None):
    """The approver was shown another evidence version than the current one."""
    if version == deletion.evidence_version:
        return None
    shown = deletion.evidence_at(version) if version else None
    changes = differences(shown, deletion.evidence) if shown else []
    details = {
        "reason": "stale evidence",
        "shown_version": version,
        "current_version": deletion.evidence_version,
        "changes": changes,
    }
    message = (
        "The evidence changed since this page was loaded"
        + (f" ({describe(changes)})" if changes else "")
        + ": review it and approve again."
    )
    return details, message


DELETION = approval.Kind(
    model=DeletionRequest,
    prefix="deletion",
    path="deletions",
    task=SUBMIT_TASK,
    refused=DeletionRefused,
    recheck=lambda d: refuse_unless_deletable(d.role),
    enqueue=lambda d: send_after_commit(SUBMIT, d.pk),
    stale=_stale,
    decision_details=lambda d: {
        "evidence_version": d.evidence_version,
        "evidence": d.evidence,
    },
)

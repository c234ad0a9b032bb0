from celery import shared_task

from roles import rails
from roles.audit.verify import verify
from roles.models import AuditEvent, Outcome


@shared_task(name="rolecall.audit.verify_chain", bind=True)
def verify_chain(self) -> bool:
    """Re-check the whole chain on a schedule and record the verdict.

    A broken chain is itself an audit event with outcome failure, so the
    evidence of tampering is written where the auditors look.
    """
    verdict = verify()
    AuditEvent.objects.record(
        "audit.verified",
        outcome=Outcome.SUCCESS if verdict.ok else Outcome.FAILURE,
        task_id=self.request.id or "",
        details={
            "events_verified": verdict.count,
            "broken_seq": verdict.broken_seq,
            "reason": verdict.reason,
            "mode": verdict.mode,
        },
    )
    # Also daily: a deployment started without `manage.py record_settings` still gets
    # its safety-rail settings into the history within a day (roles/rails.py).
    rails.record_if_changed()
    return verdict.ok

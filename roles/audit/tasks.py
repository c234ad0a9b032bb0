from celery import shared_task

from roles.audit import rails
from roles.audit.models import AuditEvent, Outcome
from roles.audit.verify import verify

# Beat's daily check of the whole chain (settings.CELERY_BEAT_SCHEDULE).
VERIFY_TASK = "rolecall.audit.verify_chain"


@shared_task(name=VERIFY_TASK, bind=True)
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
    # its safety-rail settings into the history within a day (roles/audit/rails.py).
    rails.record_if_changed()
    return verdict.ok

from celery import shared_task

from roles.cleanup import run
from roles.cleanup.kind import REGION_TASK
from roles.cleanup.operation import CLEANUPS
from roles.jobs.sweeper import sweep

# Kept for messages a previous beat schedule queued (sweep_cleanups).
SWEEP_TASK = "rolecall.cleanup.sweep"


@shared_task(name=REGION_TASK, bind=True)
def cleanup_region(self, plan_id: int, region: str) -> None:
    run.run_region(plan_id, region, task_id=self.request.id or "")


@shared_task(name=SWEEP_TASK)
def sweep_cleanups() -> int:
    """Kept for messages a previous beat schedule queued: the one sweeper
    (rolecall.sweeper.sweep) now covers cleanup regions."""
    return len(sweep(operations=(CLEANUPS,)).cleanups)

from celery import shared_task

from roles.cleanup import run
from roles.cleanup.operation import CLEANUPS


@shared_task(name="rolecall.cleanup.region", bind=True)
def cleanup_region(self, plan_id: int, region: str) -> None:
    run.run_region(plan_id, region, task_id=self.request.id or "")


@shared_task(name="rolecall.cleanup.sweep")
def sweep_cleanups() -> int:
    """Kept for messages a previous beat schedule queued: the one sweeper
    (rolecall.sweeper.sweep) now covers cleanup regions."""
    from roles.sweeper import sweep

    return len(sweep(operations=(CLEANUPS,)).cleanups)

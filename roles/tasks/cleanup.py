from celery import shared_task

from roles.cleanup import run


@shared_task(name="rolecall.cleanup.region", bind=True)
def cleanup_region(self, plan_id: int, region: str) -> None:
    run.run_region(plan_id, region, task_id=self.request.id or "")


@shared_task(name="rolecall.cleanup.sweep")
def sweep_cleanups() -> int:
    """Re-dispatch regions whose task was lost or whose worker died."""
    return len(run.redispatch_overdue())

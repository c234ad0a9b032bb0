from celery import shared_task

from roles.inventory.sync import history, service
from roles.inventory.sync.service import SYNC_TASK

# Beat's: every enabled account's sync, and the history kept to its retention.
SCHEDULE_TASK, PRUNE_TASK = "rolecall.sync.schedule", "rolecall.sync.prune"


@shared_task(name=SYNC_TASK, bind=True)
def sync_account(self, run_id: int) -> str | None:
    run = service.run_sync(run_id, task_id=self.request.id or "")
    return run.status if run else None


@shared_task(name=SCHEDULE_TASK)
def sync_all_accounts() -> int:
    return len(service.schedule_all())


@shared_task(name=PRUNE_TASK)
def prune_history() -> int:
    return history.prune()

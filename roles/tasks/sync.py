from celery import shared_task

from roles.sync import history, service


@shared_task(name="rolecall.sync.account", bind=True)
def sync_account(self, run_id: int) -> str | None:
    run = service.run_sync(run_id, task_id=self.request.id or "")
    return run.status if run else None


@shared_task(name="rolecall.sync.schedule")
def sync_all_accounts() -> int:
    return len(service.schedule_all())


@shared_task(name="rolecall.sync.prune")
def prune_history() -> int:
    return history.prune()

from celery import shared_task

from roles import change_worker, jobs


@shared_task(name=jobs.APPLY_CHANGE, bind=True)
def apply_change(self, change_id: int) -> str:
    return change_worker.apply(change_id, task_id=self.request.id or "")

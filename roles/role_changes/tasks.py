from celery import shared_task

from roles.role_changes import worker as change_worker
from roles.role_changes.service import APPLY_TASK


@shared_task(name=APPLY_TASK, bind=True)
def apply_change(self, change_id: int) -> str:
    return change_worker.apply(change_id, task_id=self.request.id or "")

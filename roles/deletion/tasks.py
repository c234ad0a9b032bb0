from celery import shared_task

from roles.deletion import worker
from roles.deletion.kind import POLL_TASK, SUBMIT_TASK


@shared_task(name=SUBMIT_TASK, bind=True)
def submit_deletion(self, request_id: int) -> None:
    worker.submit(request_id, task_id=self.request.id or "")


@shared_task(name=POLL_TASK, bind=True)
def poll_deletion(self, request_id: int) -> None:
    worker.poll(request_id, task_id=self.request.id or "")

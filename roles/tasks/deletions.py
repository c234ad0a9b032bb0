from celery import shared_task

from roles.deletion import worker


@shared_task(name="rolecall.deletion.submit", bind=True)
def submit_deletion(self, request_id: int) -> None:
    worker.submit(request_id, task_id=self.request.id or "")


@shared_task(name="rolecall.deletion.poll", bind=True)
def poll_deletion(self, request_id: int) -> None:
    worker.poll(request_id, task_id=self.request.id or "")

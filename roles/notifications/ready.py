"""What notifications hand the cores when the app is ready (roles/apps.py): the
delivery tasks and their queue, and the deliveries' operation for the sweeper."""

from roles import jobs
from roles.notifications import tasks  # noqa: F401 - defines the Celery tasks
from roles.notifications.operation import DELIVERIES
from roles.notifications.routing import EMAIL_TASK, WEBHOOK_TASK


def ready(app) -> None:
    jobs.register_task(EMAIL_TASK)
    jobs.register_task(WEBHOOK_TASK)
    jobs.register(DELIVERIES)

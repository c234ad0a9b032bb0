"""What organizations hand the cores when the app is ready (roles/apps.py): the
discovery tasks and their queue."""

from roles import jobs
from roles.organizations import tasks
from roles.organizations.discovery import DISCOVER_TASK


def ready(app) -> None:
    jobs.register_task(DISCOVER_TASK, jobs.SYNC_QUEUE)
    jobs.register_task(tasks.SCHEDULE_TASK, jobs.SYNC_QUEUE)

"""What direct changes hand the cores when the app is ready (roles/apps.py): the
worker's task and its queue, and their operation for the sweeper."""

from roles import jobs
from roles.role_changes import tasks  # noqa: F401 - defines the Celery task
from roles.role_changes.operation import CHANGES
from roles.role_changes.service import APPLY_TASK


def ready(app) -> None:
    jobs.register_task(APPLY_TASK, jobs.CHANGES_QUEUE)
    jobs.register(CHANGES)

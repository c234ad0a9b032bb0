"""What the jobs layer registers of its own when the app is ready (roles/apps.py): the
sweeper's and the health ping's tasks."""

from roles import jobs
from roles.jobs import tasks


def ready(app) -> None:
    jobs.register_task(tasks.SWEEP_TASK)
    jobs.register_task(tasks.PING_TASK)

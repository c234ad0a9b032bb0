"""What the audit history hands the cores when the app is ready (roles/apps.py): the
chain's daily verification task."""

from roles import jobs
from roles.audit import tasks


def ready(app) -> None:
    jobs.register_task(tasks.VERIFY_TASK)

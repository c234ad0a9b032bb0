"""What campaigns hand the cores when the app is ready (roles/apps.py): the run's task
and its queue, its operation for the sweeper, and its kind of approved change."""

from roles import approval, jobs
from roles.campaigns import tasks  # noqa: F401 - defines the Celery task
from roles.campaigns.kind import ADVANCE, CAMPAIGN
from roles.campaigns.operation import CAMPAIGNS


def ready(app) -> None:
    jobs.register_task(ADVANCE, jobs.CHANGES_QUEUE)
    jobs.register(CAMPAIGNS)
    approval.register(CAMPAIGN)

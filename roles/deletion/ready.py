"""What deletion hands the cores when the app is ready (roles/apps.py): its tasks and
their queue, its operation for the sweeper, its kind of approved change, and the
requests that bind an account while they run."""

from roles import approval, jobs
from roles.core import inflight
from roles.deletion import tasks  # noqa: F401 - defines the Celery tasks
from roles.deletion.kind import DELETION, POLL_TASK, SUBMIT_TASK
from roles.deletion.models import DeletionRequest
from roles.deletion.operation import DELETIONS


def ready(app) -> None:
    jobs.register_task(SUBMIT_TASK, jobs.CHANGES_QUEUE)
    jobs.register_task(POLL_TASK, jobs.CHANGES_QUEUE)
    jobs.register(DELETIONS)
    approval.register(DELETION)
    inflight.register("deletions", "deletion request", DeletionRequest.objects.active)

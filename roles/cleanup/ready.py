"""What cleanup hands the cores when the app is ready (roles/apps.py): its tasks and
their queues, its operation for the sweeper, its kind of approved change, and the
plans that bind an account while they run."""

from roles import approval, jobs
from roles.cleanup import tasks
from roles.cleanup.kind import CLEANUP, REGION_TASK
from roles.cleanup.models import CleanupPlan
from roles.cleanup.operation import CLEANUPS
from roles.core import inflight
from roles.inventory.sync import history


def ready(app) -> None:
    jobs.register_task(REGION_TASK, jobs.CHANGES_QUEUE)
    jobs.register_task(tasks.SWEEP_TASK)
    jobs.register(CLEANUPS)
    approval.register(CLEANUP)
    inflight.register("plans", "cleanup plan", CleanupPlan.objects.active)
    history.keep(
        lambda: CleanupPlan.objects.exclude(resync=None).values_list("resync_id", flat=True)
    )

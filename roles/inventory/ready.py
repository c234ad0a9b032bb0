"""What the inventory hands the cores when the app is ready (roles/apps.py): the sync
tasks and their queue, the syncs' operation for the sweeper, and (SQLite) the role
search's trigram table kept with every migration."""

from django.db.models.signals import post_migrate, pre_migrate

from roles import jobs
from roles.inventory import search
from roles.inventory.sync import tasks
from roles.inventory.sync.operation import SYNCS
from roles.inventory.sync.service import SYNC_TASK


def ready(app) -> None:
    jobs.register_task(SYNC_TASK, jobs.SYNC_QUEUE)
    jobs.register_task(tasks.SCHEDULE_TASK, jobs.SYNC_QUEUE)
    jobs.register_task(tasks.PRUNE_TASK, jobs.SYNC_QUEUE)
    jobs.register(SYNCS)
    # SQLite: the role search's trigram table and its triggers (roles/inventory/search.py).
    pre_migrate.connect(search.ensure_index, sender=app)
    post_migrate.connect(search.ensure_index, sender=app)

"""Close every sync still marked active when no worker can be running it.

`make run` (scripts/run.py) calls this before it starts the worker: any run
left "queued" or "running" then belongs to a stack that was stopped, so it is
closed as interrupted (audited, notified) and each affected account gets a
fresh sync once the worker is up. Production keeps the time-limit takeover in
roles/inventory/sync/service.py instead; do not run this while workers are running.
"""

from django.core.management.base import BaseCommand

from roles.inventory.sync.models import SyncRun
from roles.inventory.sync.service import close_interrupted, start_sync


class Command(BaseCommand):
    help = "Close syncs left active by a stopped stack, then start them again (no worker running)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-restart", action="store_true", help="Close them only; start no new sync."
        )

    def handle(self, *args, no_restart=False, **options):
        closed = []
        for run in SyncRun.objects.active().select_related("account"):
            if close_interrupted(run, "the stack was stopped while it was " + run.status):
                closed.append(run)
        restarted = 0
        if not no_restart:
            for account in {run.account_id: run.account for run in closed}.values():
                if account.enabled:
                    start_sync(account, reason="interrupted sync restarted")
                    restarted += 1
        self.stdout.write(
            f"Closed {len(closed)} interrupted sync(s); started {restarted} again."
            if closed
            else "No interrupted syncs."
        )

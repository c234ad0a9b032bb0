"""Delete sync runs older than the retention now, as the daily beat task does.

    .venv/bin/python manage.py prune_syncs [--days N]

Each account's last successful run and latest run, runs still active and runs a
cleanup plan waits on are kept (roles/inventory/sync/history.py).
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from roles.inventory.sync.history import prune


class Command(BaseCommand):
    help = "Delete sync runs older than ROLECALL_SYNC_HISTORY_DAYS (or --days)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="Retention in days (>= 1).")

    def handle(self, *args, days=None, **options):
        if days is not None and days < 1:
            raise CommandError("--days must be at least 1.", returncode=2)
        days = settings.ROLECALL_SYNC_HISTORY_DAYS if days is None else days
        deleted = prune(days)
        self.stdout.write(f"Deleted {deleted} sync run(s) created more than {days} days ago.")

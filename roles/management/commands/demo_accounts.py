"""Set up the emulator's three demo accounts and start a first sync of each.

Demo mode only, like demo_users: production never gets accounts it did not ask for.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from roles.accounts.demo import ensure_accounts
from roles.inventory.sync.service import start_sync


class Command(BaseCommand):
    help = "Create the demo AWS accounts (emulator) and start a sync of each."

    def add_arguments(self, parser):
        parser.add_argument("--no-sync", action="store_true", help="Do not start syncs.")

    def handle(self, *args, no_sync=False, **options):
        if not settings.ROLECALL_DEMO:
            raise CommandError("demo_accounts runs only in demo mode (ROLECALL_DEMO=true).")
        accounts = ensure_accounts()
        if not no_sync:
            for account in accounts:
                start_sync(account, reason="demo start")
        names = ", ".join(a.name for a in accounts)
        self.stdout.write(f"Demo accounts: {names}" + ("" if no_sync else "; first sync queued"))

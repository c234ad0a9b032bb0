"""Prepare the demo's database for `make run` (scripts/run.py), before any worker runs.

One process for what would otherwise be five, each paying Django's start-up:
migrate; close the syncs a stopped stack left (before a worker could take them;
demo_accounts syncs each account again); record the safety-rail settings; collect
the static files; create the demo users. Each step is also a command of its own.
"""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Demo mode: migrate, close interrupted syncs, record the settings, collect the "
        "static files and create the demo users, in that order."
    )

    def handle(self, *args, **options):
        if not settings.ROLECALL_DEMO:
            raise CommandError("prepare_demo runs only in demo mode (ROLECALL_DEMO=true).")
        call_command("migrate", interactive=False, verbosity=0)
        call_command("close_interrupted_syncs", no_restart=True)
        call_command("record_settings")
        call_command("collectstatic", interactive=False, verbosity=0)
        call_command("demo_users")

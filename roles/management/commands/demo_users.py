"""Create the demo personas for `make run` against the local emulator.

Refuses unless ROLECALL_DEMO is on: production never gets users it did not ask for.
"""

import os
import secrets

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError

from roles.access import groups

PERSONAS = (
    ("alice", groups.OPERATOR, False),
    ("bob", groups.APPROVER, False),
    ("carol", groups.VIEWER, False),
    ("admin", None, True),
)


class Command(BaseCommand):
    help = "Create the demo users alice (operator), bob (approver), carol (viewer), admin."

    def handle(self, *args, **options):
        if not settings.ROLECALL_DEMO:
            raise CommandError("demo_users runs only in demo mode (ROLECALL_DEMO=true).")
        password = os.environ.get("DEMO_PASSWORD") or secrets.token_urlsafe(9)
        for username, group_name, superuser in PERSONAS:
            user, _ = User.objects.get_or_create(username=username)
            user.is_superuser = user.is_staff = superuser
            user.set_password(password)
            user.save()
            if group_name:
                user.groups.set([Group.objects.get(name=group_name)])
        names = ", ".join(f"{u} ({g or 'admin'})" for u, g, _ in PERSONAS)
        self.stdout.write(f"Demo logins: {names}; password: {password}")

"""Make a personal API token for a user from the command line, and print it.

    .venv/bin/python manage.py api_token alice --name ticket-bot [--scope read|change] [--days 30]

For automation set up by whoever runs the server. The token acts as the user, with
their groups, like one made on the tokens page; but typing no password, it never
counts as fresh, so it cannot approve or reject (roles/api/auth.py require_fresh).
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, transaction
from django.utils import timezone

from roles.api.models import ApiToken
from roles.audit.models import AuditEvent


class Command(BaseCommand):
    help = "Create an API token for USER and print it (shown once; stored hashed)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help="What uses it.")
        parser.add_argument("--scope", choices=ApiToken.Scope.values, default="read")
        parser.add_argument("--days", type=int, default=30, help="Days until it expires.")

    def handle(self, *args, username, name, scope, days, **options):
        limit = settings.ROLECALL_API_TOKEN_MAX_DAYS
        if not 1 <= days <= limit:
            raise CommandError(f"--days must be from 1 to {limit}.", returncode=2)
        if not 1 <= len(name) <= 100:
            raise CommandError("--name must be 1 to 100 characters.", returncode=2)
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {username!r}.", returncode=2)
        try:
            with transaction.atomic():
                row, token = ApiToken.issue(
                    user,
                    name=name,
                    scope=scope,
                    expires_at=timezone.now() + timedelta(days=days),
                )
                AuditEvent.objects.record(
                    "api_token.created",
                    actor=user,
                    actor_name=f"{username} (manage.py api_token)",
                    details={
                        "api_token": name,
                        "prefix": row.prefix,
                        "scope": scope,
                        "expires_at": row.expires_at,
                        "via": "command line",
                    },
                )
        except IntegrityError:
            raise CommandError(
                f"{username} already has a live token named {name!r}.", returncode=2
            ) from None
        self.stdout.write(token)

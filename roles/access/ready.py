"""What access control connects when the app is ready (roles/apps.py): the sign-in
events' audit receivers, the lock-out's, and the groups kept after every migrate."""

from django.db.models.signals import post_migrate

from roles.access import groups, signals


def ready(app) -> None:
    signals.connect_lockout()
    post_migrate.connect(groups.ensure, sender=app)

"""What access control connects when the app is ready (roles/apps.py): the sign-in
events' audit receivers and the lock-out's."""

from roles.access import signals


def ready(app) -> None:
    signals.connect_lockout()

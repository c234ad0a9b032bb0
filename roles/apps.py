from django.apps import AppConfig


class RolesConfig(AppConfig):
    name = "roles"
    verbose_name = "rolecall"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from roles.audit import signals  # connects the sign-in receivers

        signals.connect_lockout()
        # Registers every task with the Celery app in every process (web included):
        # roles/jobs.py publishes them by name from the app's registry.
        import roles.tasks  # noqa: F401

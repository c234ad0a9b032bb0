from django.apps import AppConfig


class RolesConfig(AppConfig):
    name = "roles"
    verbose_name = "rolecall"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate, pre_migrate

        from roles import search
        from roles.audit import signals  # connects the sign-in receivers

        # SQLite: the role search's trigram table and its triggers (roles/search.py).
        pre_migrate.connect(search.ensure_index, sender=self)
        post_migrate.connect(search.ensure_index, sender=self)

        signals.connect_lockout()
        # Registers every task with the Celery app in every process (web included):
        # roles/jobs.py publishes them by name from the app's registry.
        import roles.tasks  # noqa: F401

from django.apps import AppConfig


class RolesConfig(AppConfig):
    name = "roles"
    verbose_name = "rolecall"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from roles.audit import signals  # connects the sign-in receivers

        signals.connect_lockout()

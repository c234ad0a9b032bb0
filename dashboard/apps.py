from django.apps import AppConfig


class DashboardConfig(AppConfig):
    """The project itself, installed for its start-up checks (dashboard/checks.py)."""

    name = "dashboard"
    verbose_name = "rolecall project"

    def ready(self) -> None:
        from dashboard import checks  # noqa: F401 - registers the system checks

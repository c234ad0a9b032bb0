"""The one Django app, `roles`, and the packages inside it.

Each package is a layer or a feature (the layers contract in pyproject.toml holds
them); every one that hands the cores something (tasks and their queues, an
operation for the sweeper, a kind of approved change, changes that bind an
account) does it from its ready module, called here once the models are loaded.
The cores read those registries and import no feature.
"""

from importlib import import_module

from django.apps import AppConfig

# Bottom to top; a feature registers after every core it registers with.
READY = (
    "jobs",
    "audit",
    "access",
    "notifications",
    "inventory",
    "organizations",
    "deletion",
    "cleanup",
    "role_changes",
    "campaigns",
)


class RolesConfig(AppConfig):
    name = "roles"
    verbose_name = "rolecall"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Every process (web, worker, beat) registers every task with the Celery app:
        # roles/jobs/__init__.py publishes them by name from the app's registry.
        for package in READY:
            import_module(f"roles.{package}.ready").ready(self)

from django.db import models


class HealthPing(models.Model):
    """Written by the rolecall.health.ping task: proof that a worker can reach
    the broker and the database (used by the worker tests and the overview)."""

    created = models.DateTimeField(auto_now_add=True)
    hostname = models.CharField(max_length=255)
    task_id = models.CharField(max_length=255, unique=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"ping {self.task_id} from {self.hostname}"

import socket

from celery import shared_task

from roles.models import HealthPing


@shared_task(name="rolecall.health.ping", bind=True)
def ping(self) -> int:
    """Write one HealthPing row; idempotent on the Celery task id."""
    row, _ = HealthPing.objects.get_or_create(
        task_id=self.request.id or "eager", defaults={"hostname": socket.gethostname()}
    )
    return row.pk

import socket
from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from roles.models import HealthPing


@shared_task(name="rolecall.health.ping", bind=True)
def ping(self) -> int:
    """Write one HealthPing row; idempotent on the Celery task id."""
    row, _ = HealthPing.objects.get_or_create(
        task_id=self.request.id or "eager", defaults={"hostname": socket.gethostname()}
    )
    # Beat pings every minute (settings.CELERY_BEAT_SCHEDULE); keep a day of them.
    HealthPing.objects.filter(created__lt=timezone.now() - timedelta(days=1)).delete()
    return row.pk

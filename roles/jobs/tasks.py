"""The jobs layer's own tasks: beat's sweeper and the workers' health ping."""

import socket
from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from roles.jobs import sweeper
from roles.jobs.models import HealthPing

# Beat's (settings.CELERY_BEAT_SCHEDULE), on the default queue.
SWEEP_TASK, PING_TASK = "rolecall.sweeper.sweep", "rolecall.health.ping"


@shared_task(name=SWEEP_TASK)
def sweep() -> dict:
    """Beat's sweeper (settings.CELERY_BEAT_SCHEDULE["sweeper"]); see roles/jobs/sweeper.py."""
    return sweeper.sweep().as_dict()


@shared_task(name=PING_TASK, bind=True)
def ping(self) -> int:
    """Write one HealthPing row; idempotent on the Celery task id."""
    row, _ = HealthPing.objects.get_or_create(
        task_id=self.request.id or "eager", defaults={"hostname": socket.gethostname()}
    )
    # Beat pings every minute (settings.CELERY_BEAT_SCHEDULE); keep a day of them.
    HealthPing.objects.filter(created__lt=timezone.now() - timedelta(days=1)).delete()
    return row.pk

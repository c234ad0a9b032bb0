"""The Celery app. Every setting comes from Django settings (CELERY_ namespace)."""

import os
import sys

from celery import Celery
from celery.signals import beat_init, worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard.settings")

app = Celery("rolecall")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["roles"])


@worker_init.connect
@beat_init.connect
def _refuse_to_start(**kwargs) -> None:
    """Workers and beat run no system checks: refuse to start with timings that would make
    Redis hand a task to two workers (dashboard/checks.py). SystemExit, because Celery
    logs and ignores any Exception a signal handler raises."""
    from django.core.exceptions import ImproperlyConfigured

    from dashboard.checks import refuse_to_start

    try:
        refuse_to_start()
    except ImproperlyConfigured as exc:
        print(f"rolecall: configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None

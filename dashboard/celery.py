"""The Celery app. Every setting comes from Django settings (CELERY_ namespace)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard.settings")

app = Celery("rolecall")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["roles"])

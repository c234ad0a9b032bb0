from celery import shared_task

from roles import sweeper


@shared_task(name="rolecall.sweeper.sweep")
def sweep() -> dict:
    """Beat's sweeper (settings.CELERY_BEAT_SCHEDULE["sweeper"]); see roles/sweeper.py."""
    return sweeper.sweep().as_dict()

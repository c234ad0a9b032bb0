from celery import shared_task

from roles import sweeper


@shared_task(name="rolecall.sweeper.sweep")
def sweep() -> dict:
    """Beat's sweeper (settings.CELERY_BEAT_SCHEDULE["sweeper"]); see roles/sweeper.py."""
    result = sweeper.sweep()
    return {
        "deletions": result.deletions,
        "syncs": result.syncs,
        "gave_up_deletions": result.gave_up_deletions,
        "gave_up_syncs": result.gave_up_syncs,
        "not_sent": result.not_sent,
    }

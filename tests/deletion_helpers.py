"""Drive a deletion through the worker's steps without a broker (unit tests)."""

from django.utils import timezone

from roles.deletion import worker
from roles.models import DeletionRequest


def drive(deletion: DeletionRequest, *, max_steps: int = 20) -> DeletionRequest:
    """Run submit/poll as the tasks would, skipping the waits, until the request ends."""
    for _ in range(max_steps):
        deletion.refresh_from_db()
        if not deletion.is_active or deletion.state == DeletionRequest.State.AWAITING_APPROVAL:
            return deletion
        DeletionRequest.objects.filter(pk=deletion.pk).update(next_poll_at=timezone.now())
        if deletion.state == DeletionRequest.State.QUEUED:
            worker.submit(deletion.pk, task_id="test")
        else:
            worker.poll(deletion.pk, task_id="test")
    raise AssertionError(f"deletion still {deletion.state} after {max_steps} steps")

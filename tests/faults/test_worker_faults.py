"""Workers that die or run twice: nothing lost, nothing done twice at AWS."""

import pytest

from roles.deletion.service import request_deletion
from roles.deletion.tasks import poll_deletion, submit_deletion
from roles.jobs.sweeper import sweep
from roles.models import DeletionAttempt
from tests.faults.helpers import (
    DELETE,
    STAGING,
    STATUS,
    calls,
    events,
    not_terminal,
    notes,
    slr,
    wait_state,
    wait_terminal,
)
from tests.support import aws
from tests.support.processes import wait_for

pytestmark = [pytest.mark.faults, pytest.mark.worker]

SUCCESS = [("success", "Deletion of AWSServiceRoleForECS in acme-staging succeeded")]


def test_1_a_worker_killed_while_the_deletion_is_in_progress(
    fault_record, accounts, emulator, processes, operator
):
    record = fault_record(1, "Worker killed (SIGKILL) while a deletion is IN_PROGRESS")
    emulator.control.set_deletion(mode="seconds", seconds=6)
    first = processes.worker()
    deletion = request_deletion(slr(STAGING), user=operator).request
    wait_state(deletion, "in_progress")
    first.kill()
    # The poll it had reserved is invisible to other workers for the broker's
    # visibility timeout (an hour): only the sweeper on beat brings it back.
    processes.worker()
    processes.beat()
    wait_terminal(deletion, processes.workers)

    assert deletion.state == "succeeded"
    assert deletion.dispatch_attempts == 1
    assert calls(emulator, DELETE) == 1
    assert notes(operator) == SUCCESS
    assert len(events("deletion.succeeded")) == 1
    [redispatched] = events("deletion.redispatched")
    assert redispatched.details["task"] == "poll"
    assert redispatched.details["state"] == "in_progress"
    record.injected = (
        "kill -9 of the worker's process group while the deletion was IN_PROGRESS at AWS "
        "(its next poll reserved by the dead worker); a new worker and beat started"
    )
    record.outcome = (
        "sweeper re-dispatched the poll once; SUCCEEDED; 1 success notification, "
        "1 deletion.succeeded audit event"
    )
    record.aws_calls = {DELETE: calls(emulator, DELETE), STATUS: calls(emulator, STATUS)}
    record.data_lost = not_terminal(deletion)
    assert record.data_lost == 0


def test_2_a_worker_killed_after_aws_accepted_but_before_the_task_id_was_stored(
    fault_record, accounts, emulator, processes, operator
):
    record = fault_record(2, "Worker killed after DeleteServiceLinkedRole, before the id is stored")
    # AWS acts on the call at once; its answer is held back 4 s, and the worker
    # is killed while it waits for it.
    emulator.control.add_faults({"operation": DELETE, "delay_ms": 4000, "count": 1})
    first = processes.worker()
    deletion = request_deletion(slr(STAGING), user=operator).request
    wait_for(lambda: calls(emulator, DELETE) == 1 and not emulator.control.faults(), timeout=30)
    first.kill()
    attempt = DeletionAttempt.objects.get(request=deletion)
    assert attempt.deletion_task_id == ""
    deletion.refresh_from_db()
    assert deletion.state == "queued"
    # What AWS holds: a pending task, whose id it returns to every caller.
    pending = aws.client("iam", STAGING).delete_service_linked_role(
        RoleName="AWSServiceRoleForECS"
    )["DeletionTaskId"]

    processes.worker()
    assert sweep(grace=0).deletions == [deletion.pk]
    wait_terminal(deletion, processes.workers)

    assert deletion.state == "succeeded"
    attempt.refresh_from_db()
    assert attempt.deletion_task_id == pending
    stored = set(
        DeletionAttempt.objects.exclude(deletion_task_id="").values_list(
            "deletion_task_id", flat=True
        )
    )
    assert stored == {pending}
    [submitted] = events("deletion.submitted")
    assert submitted.deletion_task_id == pending
    assert calls(emulator, DELETE) == 3  # the killed worker's, the probe above, the rerun's
    assert notes(operator) == SUCCESS
    record.injected = (
        "DeleteServiceLinkedRole answered 4 s late (emulator response delay, the task already "
        "submitted); kill -9 of the worker while it waited; new worker, sweeper"
    )
    record.outcome = (
        "the rerun got the same DeletionTaskId from AWS and stored it once; one task id in the "
        "database; SUCCEEDED"
    )
    record.aws_calls = {
        DELETE: f"{calls(emulator, DELETE)} (killed worker, test probe, rerun)",
        STATUS: calls(emulator, STATUS),
    }
    record.data_lost = not_terminal(deletion) + len(stored ^ {pending})
    assert record.data_lost == 0


def test_10_two_workers_on_one_queue_while_a_deletion_is_polled(
    fault_record, accounts, emulator, processes, operator
):
    record = fault_record(10, "Two workers consume the same queue while one deletion is polled")
    emulator.control.set_deletion(mode="seconds", seconds=5)
    one, two = processes.worker(), processes.worker()
    deletion = request_deletion(slr(STAGING), user=operator).request
    wait_state(deletion, "in_progress")
    # Duplicates, as a redelivery or an eager sweeper would send them.
    for _ in range(4):
        submit_deletion.delay(deletion.pk)
        poll_deletion.delay(deletion.pk)
    wait_terminal(deletion, processes.workers)

    assert deletion.state == "succeeded"
    assert calls(emulator, DELETE) == 1
    assert notes(operator) == SUCCESS
    assert len(events("deletion.succeeded")) == 1
    assert len(events("deletion.submitted")) == 1
    for worker in (one, two):
        ran = [
            line
            for line in worker.output
            if "Task rolecall.deletion." in line and "succeeded" in line
        ]
        assert ran, "".join(worker.output[-20:])
    record.injected = (
        "two worker processes on the same queue; 4 duplicate submit and 4 duplicate poll "
        "messages published while the deletion was IN_PROGRESS"
    )
    record.outcome = "both workers ran deletion tasks; SUCCEEDED once, 1 notification"
    record.aws_calls = {DELETE: calls(emulator, DELETE), STATUS: calls(emulator, STATUS)}
    record.data_lost = not_terminal(deletion)
    assert record.data_lost == 0

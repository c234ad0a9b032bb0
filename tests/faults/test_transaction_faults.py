"""A confirmation whose transaction rolls back leaves nothing behind, in the database or Redis."""

import pytest
from django.test import Client

from roles.jobs.sweeper import sweep
from roles.models import AuditEvent, DeletionAttempt, DeletionRequest
from tests.faults.helpers import DELETE, STAGING, calls, not_terminal, notes, slr, wait_terminal

pytestmark = [pytest.mark.faults, pytest.mark.worker]


def test_5_the_transaction_rolls_back_after_the_request_row_was_created(
    fault_record, accounts, emulator, processes, redis_server, operator, monkeypatch
):
    record = fault_record(5, "Transaction rolled back after the request row was created")
    worker = processes.worker()
    manager = type(AuditEvent.objects)
    original = manager.record

    def failing(self, action, **kwargs):
        # The request and its attempt are written; the next write fails.
        if action == "deletion.confirmed":
            assert DeletionRequest.objects.count() == 1
            raise RuntimeError("database went away mid-transaction")
        return original(self, action, **kwargs)

    monkeypatch.setattr(manager, "record", failing)
    client = Client(raise_request_exception=False)
    client.force_login(operator)
    role = slr(STAGING)
    response = client.post(f"/roles/{role.pk}/delete/", {"confirm_name": role.name})

    assert response.status_code == 500
    assert DeletionRequest.objects.count() == 0
    assert DeletionAttempt.objects.count() == 0
    assert not AuditEvent.objects.filter(action__startswith="deletion.").exists()
    assert redis_server.messages() == 0  # nothing was published
    assert sweep(grace=0).empty
    assert calls(emulator)["total"] == 0
    assert not any("Task rolecall.deletion" in line for line in worker.output)

    # The same confirmation, once the database behaves, goes through normally.
    monkeypatch.setattr(manager, "record", original)
    response = client.post(f"/roles/{role.pk}/delete/", {"confirm_name": role.name})
    assert response.status_code == 302
    deletion = wait_terminal(DeletionRequest.objects.get(), processes.workers)
    assert deletion.state == "succeeded"
    assert calls(emulator, DELETE) == 1
    assert [level for level, _ in notes(operator)] == ["success"]
    record.injected = (
        "the audit write inside the confirmation's transaction raised, after the "
        "DeletionRequest and DeletionAttempt rows were inserted"
    )
    record.outcome = (
        "HTTP 500; no request, attempt or audit row left; no message in Redis; the worker made "
        "no AWS call; the confirmation repeated afterwards SUCCEEDED"
    )
    record.aws_calls = {"during the fault": 0, "after, " + DELETE: calls(emulator, DELETE)}
    record.data_lost = not_terminal(deletion)
    assert record.data_lost == 0

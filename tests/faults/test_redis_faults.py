"""Redis stopped or flushed (a private redis-server): the rows bring the work back."""

import pytest
from django.test import Client

from roles.deletion.service import request_deletion
from roles.inventory.sync.service import start_sync
from roles.models import DeletionRequest, SyncRun
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
from tests.support.processes import wait_for

pytestmark = [pytest.mark.faults, pytest.mark.worker]

QUEUED_NOTE = "queued, will start when the task queue is back"
READ_PAGES = ["/", "/accounts/", "/roles/", "/deletions/", "/notifications/", "/audit/"]


def test_3_redis_stopped_before_the_confirmation(
    fault_record, accounts, emulator, processes, redis_server, operator
):
    record = fault_record(3, "Redis stopped before the confirmation POST")
    processes.worker()
    redis_server.stop()
    client = Client()
    client.force_login(operator)
    role = slr(STAGING)

    response = client.post(f"/roles/{role.pk}/delete/", {"confirm_name": role.name})
    assert response.status_code == 302
    deletion = DeletionRequest.objects.get(role=role)
    assert deletion.state == "queued"
    assert deletion.last_error["code"] == "BrokerUnavailable"
    page = client.get(response.url).content.decode()
    assert QUEUED_NOTE in page
    pages = [*READ_PAGES, f"/roles/{role.pk}/", response.url]
    for url in pages:
        assert client.get(url).status_code == 200, url
    assert calls(emulator, DELETE) == 0

    redis_server.start()
    processes.beat()
    wait_terminal(deletion, processes.workers, timeout=60)

    assert deletion.state == "succeeded"
    assert deletion.last_error == {}
    assert calls(emulator, DELETE) == 1
    assert notes(operator) == [
        ("success", "Deletion of AWSServiceRoleForECS in acme-staging succeeded")
    ]
    assert len(events("deletion.succeeded")) == 1
    [redispatched] = events("deletion.redispatched")
    assert redispatched.details["task"] == "submit"
    assert QUEUED_NOTE not in client.get(response.url).content.decode()
    record.injected = (
        "private redis-server stopped; operator confirms the deletion in the web UI; "
        "read pages fetched; Redis started again with beat"
    )
    record.outcome = (
        "POST answered 302, request stored as queued, its page said "
        f"'{QUEUED_NOTE}', {len(pages)} read pages answered 200; after the restart the sweeper "
        "sent it"
        " and it SUCCEEDED once"
    )
    record.aws_calls = {DELETE: calls(emulator, DELETE), STATUS: calls(emulator, STATUS)}
    record.data_lost = not_terminal(deletion)
    assert record.data_lost == 0


def test_4_flushall_with_requests_queued_and_polls_pending(
    fault_record, accounts, emulator, processes, redis_server, operator
):
    record = fault_record(4, "FLUSHALL on Redis with requests queued and polls pending")
    emulator.control.set_deletion(mode="seconds", seconds=4)
    worker = processes.worker()
    polled = request_deletion(slr(STAGING), user=operator).request
    wait_state(polled, "in_progress")
    # A warm shutdown hands the worker's reserved poll back to the queue.
    worker.stop()
    queued = [
        request_deletion(slr(STAGING, name), user=operator).request
        for name in ("AWSServiceRoleForElasticLoadBalancing", "AWSServiceRoleForRDS")
    ]
    sync = start_sync(accounts["acme-prod"], user=operator)
    wait_for(lambda: redis_server.messages() == 4, timeout=10)  # 1 poll, 2 submits, 1 sync

    redis_server.client().flushall()
    assert redis_server.messages() == 0
    processes.worker()
    processes.beat()
    deletions = [polled, *queued]
    for deletion in deletions:
        wait_terminal(deletion, processes.workers, timeout=60)
    wait_for(lambda: SyncRun.objects.get(pk=sync.pk).status not in SyncRun.ACTIVE, timeout=60)

    assert [d.state for d in deletions] == ["succeeded"] * 3
    assert calls(emulator, DELETE) == 3  # one per role
    assert emulator.control.calls()["by_account"][STAGING][DELETE] == 3
    assert sorted(level for level, _ in notes(operator)) == ["success"] * 3
    assert len(events("deletion.succeeded")) == 3
    assert sorted(e.details["task"] for e in events("deletion.redispatched")) == [
        "poll",
        "submit",
        "submit",
    ]
    sync.refresh_from_db()
    assert sync.status == SyncRun.Status.SUCCEEDED
    assert sync.dispatch_attempts == 1
    assert len(events("sync.redispatched")) == 1
    record.injected = (
        "FLUSHALL on the private redis-server holding 1 pending poll, 2 queued submits and "
        "1 queued sync; new worker and beat"
    )
    record.outcome = (
        "the sweeper re-sent all four; 3 deletions SUCCEEDED (3 success notifications), "
        "the sync SUCCEEDED"
    )
    record.aws_calls = {
        DELETE: calls(emulator, DELETE),
        STATUS: calls(emulator, STATUS),
        "all": calls(emulator)["total"],
    }
    record.data_lost = not_terminal(*deletions) + (sync.status in SyncRun.ACTIVE)
    assert record.data_lost == 0

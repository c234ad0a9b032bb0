"""Each action available so far writes exactly one event with the right fields."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from roles.access.permissions import deny
from roles.models import AuditEvent
from tests.conftest import PASSWORD


def only_event(action: str) -> AuditEvent:
    events = list(AuditEvent.objects.filter(action=action))
    assert len(events) == 1, [str(e) for e in events]
    return events[0]


def test_login_is_recorded(client, operator):
    client.post(
        reverse("login"), {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="192.0.2.10"
    )
    event = only_event("auth.login")
    assert (event.actor, event.actor_name, event.outcome) == (operator, "alice", "success")
    assert event.source_ip == "192.0.2.10"


def test_failed_login_is_recorded_with_the_attempted_name(client, operator):
    client.post(
        reverse("login"), {"username": "alice", "password": "wrong"}, REMOTE_ADDR="192.0.2.11"
    )
    event = only_event("auth.login_failed")
    assert event.actor is None
    assert (event.actor_name, event.outcome, event.source_ip) == ("alice", "failure", "192.0.2.11")
    assert AuditEvent.objects.count() == 1


def test_logout_is_recorded(operator_client, operator):
    operator_client.post(reverse("logout"))
    event = only_event("auth.logout")
    assert (event.actor, event.actor_name) == (operator, "alice")


def test_export_download_is_recorded_with_its_filters(viewer_client):
    AuditEvent.objects.record("sync.started", account_id="111111111111")
    response = viewer_client.get(reverse("audit-export", args=["csv"]), {"account": "111111111111"})
    b"".join(response.streaming_content)
    event = only_event("audit.exported")
    assert event.actor_name == "carol"
    assert event.details["format"] == "csv"
    assert event.details["filters"] == {"account": "111111111111"}


def test_denial_is_recorded_and_answers_403(viewer):
    from django.core.exceptions import PermissionDenied

    request = RequestFactory().post("/roles/7/delete/", REMOTE_ADDR="192.0.2.12")
    request.user = viewer
    with pytest.raises(PermissionDenied):
        deny(request, "deletion.requested", target_arn="arn:aws:iam::1:role/x", account_id="1" * 12)
    event = only_event("auth.denied")
    assert (event.outcome, event.actor_name, event.source_ip) == ("denied", "carol", "192.0.2.12")
    assert event.details == {
        "attempted": "deletion.requested",
        "method": "POST",
        "path": "/roles/7/delete/",
    }
    assert event.target_arn == "arn:aws:iam::1:role/x"


@pytest.mark.worker
def test_a_real_worker_records_its_own_event(worker):
    from roles.audit.tasks import verify_chain
    from tests.support.processes import wait_for

    AuditEvent.objects.record("sync.started")
    result = verify_chain.delay()
    event = wait_for(
        lambda: AuditEvent.objects.filter(action="audit.verified").first(),
        message="worker wrote no audit.verified event:\n" + "".join(worker.output[-30:]),
    )
    assert (event.actor_name, event.outcome, event.task_id) == ("system", "success", result.id)
    assert event.details["events_verified"] == 1
    assert event.prev_hash == AuditEvent.objects.get(seq=1).hash

"""AuditEvent.objects.record(): the one way an audit event is written."""

import pytest
from django.contrib.auth.models import User
from django.test import RequestFactory, override_settings

from roles.audit import chain
from roles.audit.request import client_ip
from roles.audit.verify import verify
from roles.models import AuditEvent, Outcome

# The SQLite pass of .ci/run runs this module too (docs/testing.md).
pytestmark = pytest.mark.engine


def test_it_records_every_field(operator):
    request = RequestFactory().post("/x/", REMOTE_ADDR="198.51.100.7")
    request.user = operator
    event = AuditEvent.objects.record(
        "deletion.submitted",
        request=request,
        target_arn="arn:aws:iam::111111111111:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS",
        account_id="111111111111",
        region="us-east-1",
        aws_request_id="req-1",
        deletion_task_id="task/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS/abc",
        task_id="celery-1",
        details={"attempt": 1},
    )
    stored = AuditEvent.objects.get(seq=event.seq)
    assert (stored.actor, stored.actor_name, stored.source_ip) == (
        operator,
        "alice",
        "198.51.100.7",
    )
    assert (stored.action, stored.outcome) == ("deletion.submitted", "success")
    assert stored.account_id == "111111111111" and stored.region == "us-east-1"
    assert stored.aws_request_id == "req-1" and stored.task_id == "celery-1"
    assert stored.deletion_task_id.endswith("/abc")
    assert stored.details == {"attempt": 1}
    assert stored.time.tzinfo is not None
    assert stored.hash == chain.event_hash(stored)


def test_events_without_a_user_are_recorded_as_system(db):
    event = AuditEvent.objects.record("sync.started", account_id="111111111111")
    assert event.actor is None
    assert event.actor_name == "system"
    assert event.source_ip is None


def test_each_event_links_to_the_one_before(db):
    first = AuditEvent.objects.record("sync.started")
    second = AuditEvent.objects.record("sync.finished")
    assert first.seq == 1 and first.prev_hash == chain.GENESIS
    assert second.seq == 2 and second.prev_hash == first.hash
    assert verify().ok


def test_events_cannot_be_saved_again_or_deleted_through_the_orm(db):
    event = AuditEvent.objects.record("sync.started")
    event.action = "sync.finished"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()


def test_a_deleted_user_leaves_the_copied_name_and_the_chain_intact(operator):
    AuditEvent.objects.record("auth.login", actor=operator)
    User.objects.filter(pk=operator.pk).delete()
    event = AuditEvent.objects.get()
    assert event.actor is None
    assert event.actor_name == "alice"
    assert verify().ok


def test_untrusted_text_is_stored_as_data(db):
    nasty = "evil\r\nFAKE LINE\x1b[31m<script>alert(1)</script>\x00end"
    event = AuditEvent.objects.record("auth.login_failed", actor_name=nasty, details={"u": nasty})
    stored = AuditEvent.objects.get(seq=event.seq)
    assert stored.actor_name == nasty.replace("\x00", "\\x00")
    assert stored.details["u"] == nasty.replace("\x00", "\\x00")
    assert verify().ok


def test_details_are_hashed_as_they_read_back(db):
    from datetime import UTC, datetime

    event = AuditEvent.objects.record(
        "sync.finished", details={"when": datetime(2026, 1, 2, tzinfo=UTC), "n": 3, "z": [1.5]}
    )
    stored = AuditEvent.objects.get(seq=event.seq)
    assert stored.details == {"when": "2026-01-02T00:00:00Z", "n": 3, "z": [1.5]}
    assert chain.event_hash(stored) == stored.hash


class TestClientIp:
    def _request(self, remote="10.0.0.9", forwarded=None):
        meta = {"REMOTE_ADDR": remote}
        if forwarded is not None:
            meta["HTTP_X_FORWARDED_FOR"] = forwarded
        return RequestFactory().get("/", **meta)

    @override_settings(ROLECALL_TRUSTED_PROXIES=0)
    def test_without_trusted_proxies_the_header_is_ignored(self):
        assert client_ip(self._request(forwarded="203.0.113.5")) == "10.0.0.9"

    @override_settings(ROLECALL_TRUSTED_PROXIES=1)
    def test_one_proxy_takes_the_address_it_appended(self):
        spoofed = self._request(forwarded="1.2.3.4, 203.0.113.5")
        assert client_ip(spoofed) == "203.0.113.5"

    @override_settings(ROLECALL_TRUSTED_PROXIES=2)
    def test_two_proxies_skip_the_inner_proxy(self):
        assert client_ip(self._request(forwarded="9.9.9.9, 203.0.113.5, 10.0.0.2")) == "203.0.113.5"

    @override_settings(ROLECALL_TRUSTED_PROXIES=2)
    def test_a_short_header_falls_back_to_the_peer(self):
        assert client_ip(self._request(forwarded="203.0.113.5")) == "10.0.0.9"

    @override_settings(ROLECALL_TRUSTED_PROXIES=1)
    def test_garbage_in_the_header_falls_back_to_the_peer(self):
        assert client_ip(self._request(forwarded="<script>")) == "10.0.0.9"


def test_outcome_values():
    assert {o.value for o in Outcome} == {"success", "failure", "denied"}

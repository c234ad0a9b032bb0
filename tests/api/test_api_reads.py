"""Reads through /api/v1/: the pages' rows, filters and sorts, in cursor pages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from roles.models import AuditEvent, Notification, ServiceLinkedRole
from tests.support.api import token_for

# The SQLite pass of .ci/run runs this module too (docs/testing.md).
pytestmark = pytest.mark.engine


@pytest.fixture
def synced(sync_demo):
    return sync_demo("acme-prod", "acme-staging")


@pytest.fixture
def api(viewer):
    return token_for(viewer, scope="read")


def walk(api, url, params=None) -> list[dict]:
    """Every row of a list, following `next`."""
    rows, response = [], api.get(url, params)
    while True:
        assert response.status_code == 200, response.json()
        body = response.json()
        rows += body["results"]
        if not body["next"]:
            return rows
        response = api.get(body["next"])


def test_roles_walk_every_role_once_in_the_sort_asked(api, synced):
    rows = walk(api, "/api/v1/roles/", {"sort": "name", "page_size": 3})
    expected = list(ServiceLinkedRole.objects.order_by("name", "pk").values_list("pk", flat=True))
    assert [r["id"] for r in rows] == expected
    assert len(expected) > 3
    first = rows[0]
    assert first["page"].endswith(f"/roles/{first['id']}/")
    assert set(first) >= {"name", "account_aws_id", "verdict", "last_used_at", "service_principal"}


def test_roles_filter_as_the_page_does(api, synced):
    staging = synced["acme-staging"]
    rows = walk(
        api, "/api/v1/roles/", {"account": staging.pk, "service": "ecs", "verdict": "ready"}
    )
    assert [r["name"] for r in rows] == ["AWSServiceRoleForECS"]
    assert rows[0]["account_name"] == "acme-staging"
    searched = walk(api, "/api/v1/roles/", {"q": "ECS"})
    assert searched and all("ECS" in r["name"] or "ecs" in r["service_principal"] for r in searched)


def test_bad_filters_and_cursors_are_400s_saying_which(api, synced):
    bad_sort = api.get("/api/v1/roles/", {"sort": "password"})
    assert bad_sort.status_code == 400
    assert bad_sort.json()["code"] == "invalid" and "sort" in bad_sort.json()["errors"]
    cursor = api.get("/api/v1/roles/", {"after": "not-a-cursor"})
    assert (cursor.status_code, cursor.json()["code"]) == (400, "invalid_parameter")
    size = api.get("/api/v1/roles/", {"page_size": "1000"})
    assert (size.status_code, size.json()["code"]) == (400, "invalid_parameter")
    audit = api.get("/api/v1/audit/", {"account": "12"})
    assert audit.status_code == 400 and "account" in audit.json()["errors"]


def test_a_role_comes_with_its_evidence_and_verdict(api, synced):
    role = ServiceLinkedRole.objects.get(account__name="acme-prod", name="AWSServiceRoleForECS")
    body = api.get(f"/api/v1/roles/{role.pk}/").json()
    assert body["arn"] == role.arn and body["verdict"] == "blocked"
    evidence = body["evidence"]
    assert evidence["verdict"] == "blocked"
    assert len(evidence["predicted_usage"]) == body["blocked_regions"] == 3
    assert evidence["account"] == {"id": "111111111111", "name": "acme-prod", "production": True}
    assert body["active_deletion"] is None and body["protected"] == ""


def test_the_roles_list_reads_the_same_queries_for_few_or_many_rows(api, synced):
    def count(size):
        with CaptureQueriesContext(connection) as queries:
            assert api.get("/api/v1/roles/", {"page_size": size}).status_code == 200
        return len(queries)

    count(1)  # the token's first use is written once (last used)
    assert count(2) == count(50)


def test_notifications_are_your_own_only(api, viewer, operator, synced):
    Notification.objects.create(user=viewer, title="for carol")
    Notification.objects.create(user=operator, title="for alice")
    rows = walk(api, "/api/v1/notifications/")
    assert [r["title"] for r in rows] == ["for carol"]
    assert Notification.objects.count() == 2


def test_audit_events_filter_and_page_back_in_time(api, synced):
    for n in range(5):
        AuditEvent.objects.record("audit.exported", details={"n": n})
    rows = walk(api, "/api/v1/audit/", {"action": "audit.exported", "page_size": 2})
    assert [r["details"]["n"] for r in rows] == [4, 3, 2, 1, 0]
    first = api.get("/api/v1/audit/", {"action": "audit.exported", "page_size": 2}).json()
    second = api.get(first["next"]).json()
    back = api.get(second["previous"]).json()
    assert [r["seq"] for r in back["results"]] == [r["seq"] for r in first["results"]]


def test_accounts_deletions_cleanups_and_campaigns_list(api, synced):
    names = [a["name"] for a in walk(api, "/api/v1/accounts/")]
    assert names == sorted(names) and "acme-prod" in names
    for url in ("/api/v1/deletions/", "/api/v1/cleanups/", "/api/v1/campaigns/"):
        assert walk(api, url) == []
    bad = api.get("/api/v1/deletions/", {"state": "exploded"})
    assert bad.status_code == 400 and "state" in bad.json()["errors"]

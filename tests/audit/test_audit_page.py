"""/audit/: filters, keyset pagination, exports, escaping, constant query count."""

import csv
import io
import json

import pytest
from django.test import override_settings
from django.urls import reverse

from roles.models import AuditEvent, Outcome

# The SQLite pass of .ci/run runs this module too (docs/testing.md).
pytestmark = pytest.mark.engine

ECS = "arn:aws:iam::111111111111:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS"
RDS = "arn:aws:iam::222222222222:role/aws-service-role/rds.amazonaws.com/AWSServiceRoleForRDS"


@pytest.fixture
def history(viewer_client, operator):
    """Events #2 to #6, after carol's sign-in (#1)."""
    AuditEvent.objects.record("sync.started", account_id="111111111111")
    AuditEvent.objects.record(
        "deletion.requested", actor=operator, target_arn=ECS, account_id="111111111111"
    )
    AuditEvent.objects.record(
        "deletion.failed",
        target_arn=ECS,
        account_id="111111111111",
        outcome=Outcome.FAILURE,
        aws_request_id="req-ecs-1",
        details={"RoleUsageList": [{"Region": "eu-west-1"}]},
    )
    AuditEvent.objects.record(
        "deletion.requested", actor=operator, target_arn=RDS, account_id="222222222222"
    )
    AuditEvent.objects.record("auth.denied", actor_name="carol", outcome=Outcome.DENIED)


def seqs_on_page(response) -> list[int]:
    return [e.seq for e in response.context["events"]]


def test_it_lists_newest_first(viewer_client, history):
    response = viewer_client.get(reverse("audit"))
    assert response.status_code == 200
    assert seqs_on_page(response) == [6, 5, 4, 3, 2, 1]


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"actor": "alice"}, [5, 3]),
        ({"action": "deletion.requested"}, [5, 3]),
        ({"outcome": "denied"}, [6]),
        ({"account": "222222222222"}, [5]),
        ({"role": ECS}, [4, 3]),
        ({"role": "AWSServiceRoleForRDS"}, [5]),
        ({"q": "eu-west-1"}, [4]),
        ({"q": "req-ecs"}, [4]),
        ({"role": ECS, "actor": "alice"}, [3]),
    ],
)
def test_filters(viewer_client, history, params, expected):
    assert seqs_on_page(viewer_client.get(reverse("audit"), params)) == expected


def test_date_range_filter(viewer_client, history):
    from django.utils import timezone

    today = timezone.now().date().isoformat()
    assert len(seqs_on_page(viewer_client.get(reverse("audit"), {"date_from": today}))) == 6
    assert seqs_on_page(viewer_client.get(reverse("audit"), {"date_to": "2020-01-01"})) == []


@pytest.mark.parametrize(
    "params, message",
    [
        ({"account": "12345"}, "Enter a 12-digit account id."),
        ({"date_from": "not-a-date"}, "Enter a valid date."),
        ({"date_from": "2026-02-02", "date_to": "2026-01-01"}, "end date is before"),
        ({"action": "no.such"}, "Select a valid choice."),
    ],
)
def test_bad_filters_show_a_form_error(viewer_client, history, params, message):
    response = viewer_client.get(reverse("audit"), params)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert response.context["events"] == []


def test_bad_filters_on_export_get_400_not_a_file(viewer_client, history):
    response = viewer_client.get(reverse("audit-export", args=["csv"]), {"account": "x"})
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(action="audit.exported").exists()


@override_settings(ROLECALL_AUDIT_PAGE_SIZE=2)
def test_keyset_pagination_walks_older_and_newer(viewer_client, history):
    first = viewer_client.get(reverse("audit"))
    assert seqs_on_page(first) == [6, 5]
    assert first.context["newer"] is None and first.context["older"] == 5
    second = viewer_client.get(reverse("audit"), {"before": 5})
    assert seqs_on_page(second) == [4, 3]
    third = viewer_client.get(reverse("audit"), {"before": 3})
    assert seqs_on_page(third) == [2, 1]
    assert third.context["older"] is None
    back = viewer_client.get(reverse("audit"), {"after": 4})
    assert seqs_on_page(back) == [6, 5]
    assert back.context["newer"] is None


@override_settings(ROLECALL_AUDIT_PAGE_SIZE=2)
def test_pagination_keeps_the_filters(viewer_client, history):
    response = viewer_client.get(reverse("audit"), {"account": "111111111111"})
    assert seqs_on_page(response) == [4, 3]
    assert "account=111111111111&amp;before=3" in response.content.decode()


def test_query_count_does_not_grow_with_rows(viewer_client, db, django_assert_num_queries):
    for _ in range(3):
        AuditEvent.objects.record("sync.started")
    viewer_client.get(reverse("overview"))  # the first request after sign-in also saves the session
    with django_assert_num_queries(5) as small:  # session, user, groups, unread badge, page
        viewer_client.get(reverse("audit"))
    for _ in range(60):
        AuditEvent.objects.record("sync.started")
    with django_assert_num_queries(len(small.captured_queries)):
        viewer_client.get(reverse("audit"))


def _csv_rows(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_export_equals_the_filtered_page(viewer_client, history):
    params = {"account": "111111111111"}
    page = seqs_on_page(viewer_client.get(reverse("audit"), params))
    response = viewer_client.get(reverse("audit-export", args=["csv"]), params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment;" in response["Content-Disposition"]
    rows = _csv_rows(response)
    assert [int(r["seq"]) for r in rows] == page == [4, 3, 2]
    assert rows[0]["aws_request_id"] == "req-ecs-1"
    assert json.loads(rows[0]["details"]) == {"RoleUsageList": [{"Region": "eu-west-1"}]}


def test_jsonl_export_equals_the_filtered_page(viewer_client, history):
    params = {"role": ECS}
    page = seqs_on_page(viewer_client.get(reverse("audit"), params))
    response = viewer_client.get(reverse("audit-export", args=["jsonl"]), params)
    lines = b"".join(response.streaming_content).decode().splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["seq"] for r in records] == page == [4, 3]
    assert records[0]["hash"] == AuditEvent.objects.get(seq=4).hash


def test_export_does_not_contain_its_own_event(viewer_client, history):
    rows = _csv_rows(viewer_client.get(reverse("audit-export", args=["csv"])))
    assert [int(r["seq"]) for r in rows] == [6, 5, 4, 3, 2, 1]
    assert AuditEvent.objects.filter(action="audit.exported").count() == 1


def test_unknown_export_format_is_404(viewer_client, history):
    assert viewer_client.get("/audit/export.xlsx").status_code == 404


@pytest.mark.parametrize("payload", ['=HYPERLINK("http://x")', "+1+1", "-2", "@SUM(A1)"])
def test_csv_cells_that_look_like_formulas_are_neutralised(viewer_client, db, payload):
    AuditEvent.objects.record("auth.login_failed", actor_name=payload, outcome=Outcome.FAILURE)
    rows = _csv_rows(viewer_client.get(reverse("audit-export", args=["csv"])))
    assert rows[0]["actor_name"] == "'" + payload


def test_untrusted_text_is_escaped_and_control_characters_shown(viewer_client, db):
    AuditEvent.objects.record(
        "auth.login_failed",
        actor_name="<script>alert(1)</script>\r\nFAKE\x1b[31m",
        outcome=Outcome.FAILURE,
        details={"username": "<img src=x onerror=alert(1)>"},
    )
    html = viewer_client.get(reverse("audit")).content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;\\x0d\\x0aFAKE\\x1b[31m" in html
    assert "<img src=x" not in html
    assert "\x1b" not in html


def test_admin_is_read_only(admin_client):  # its sign-in is audit event #1
    assert admin_client.get("/admin/roles/auditevent/").status_code == 200
    assert admin_client.get("/admin/roles/auditevent/add/").status_code == 403
    assert admin_client.post("/admin/roles/auditevent/1/delete/").status_code == 403
    change = admin_client.post("/admin/roles/auditevent/1/change/", {"action": "x"})
    assert change.status_code == 403
    assert AuditEvent.objects.get(seq=1).action == "auth.login"

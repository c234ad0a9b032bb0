"""The audit page's free-text search is served by the trigram index (migration 0005).

PostgreSQL only (marker `postgresql`, deselected on SQLite, which has no such index):
SQLite's search is a scan by design.
"""

import pytest
from django.db import connection, transaction

from roles.audit.filters import AuditFilterForm
from roles.models import AuditEvent

pytestmark = pytest.mark.postgresql


def explain(queryset, *, forbid: tuple[str, ...]) -> str:
    sql, params = queryset.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("ANALYZE roles_auditevent")
        for setting in forbid:
            cursor.execute(f"SET LOCAL {setting} = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_the_trigram_index_exists(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes "
            "WHERE tablename = 'roles_auditevent' AND indexname = 'audit_search_trgm'"
        )
        row = cursor.fetchone()
    assert row is not None
    assert "USING gin (search gin_trgm_ops)" in row[0]


def test_the_free_text_search_can_be_answered_by_the_trigram_index(db):
    for number in range(300):
        AuditEvent.objects.record("sync.started", details={"n": f"event-{number}"})
    AuditEvent.objects.record(
        "role.created", target_arn="arn:aws:iam::111111111111:role/NeedleRole"
    )
    form = AuditFilterForm({"q": "NeedleRole"})
    assert form.is_valid()
    matching = form.queryset()
    assert [e.target_arn for e in matching] == ["arn:aws:iam::111111111111:role/NeedleRole"]

    # On a table this small the planner rightly prefers a scan; with scans priced out, the
    # predicate exactly as the filter writes it (`search LIKE '%needlerole%'`) must still be
    # answerable by the index. A search the index cannot serve (UPPER(...) from icontains, a
    # cast, another column) falls back to the disabled sequential scan and fails here.
    plan = explain(matching.order_by().values("seq"), forbid=("enable_seqscan", "enable_indexscan"))
    assert "Bitmap Index Scan on audit_search_trgm" in plan, plan
    assert "Seq Scan" not in plan, plan

"""The role search (roles/inventory/search.py): on SQLite a trigram FTS5 table kept by
triggers narrows the rows before the substring check; on PostgreSQL the trigram
GIN index serves the LIKE itself. Either way the result is exactly the rows whose
search column contains the text, whatever the text holds (FTS query syntax,
quotes, LIKE wildcards), and the index follows every insert, update and delete.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.urls import reverse

from roles.inventory import search
from roles.inventory.summary import rename
from roles.models import Account, ServiceLinkedRole

# The SQLite pass of .ci/run runs this module too (docs/testing.md).
pytestmark = pytest.mark.engine

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = (
    '"',
    '""',
    'ecs" OR "sso',
    "ecs*",
    "NEAR(ecs sso)",
    "ecs AND sso",
    "^ecs",
    "%",
    "_",
    "100%",
    "a_b",
    "\\",
    "role/aws-service-role",
    "é",
    "ecs ",
)
PLAIN = ("ecs", "EC", "e", "AWSServiceRoleForECS", "acme-prod", "111111111111", "amazonaws")


@pytest.fixture
def synced(sync_demo):
    return sync_demo("acme-staging", "acme-prod")


def expected(text: str) -> set[int]:
    return {
        pk
        for pk, column in ServiceLinkedRole.objects.values_list("pk", "search")
        if text.lower() in column
    }


def found(text: str) -> set[int]:
    return set(search.matching(ServiceLinkedRole.objects.all(), text).values_list("pk", flat=True))


def fts_ids() -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT rowid FROM {search.TABLE}")
        return {row[0] for row in cursor.fetchall()}


def test_search_finds_exactly_the_rows_that_contain_the_text(synced):
    assert ServiceLinkedRole.objects.count() > 10
    for text in PLAIN + HOSTILE:
        assert found(text) == expected(text), text
    assert found("AWSServiceRoleForECS")  # the check is not vacuous
    assert found("acme-prod") == set(
        ServiceLinkedRole.objects.filter(account__name="acme-prod").values_list("pk", flat=True)
    )


def test_hostile_search_text_is_a_page_not_an_error(viewer_client, synced):
    for text in HOSTILE:
        response = viewer_client.get(reverse("roles"), {"q": text})
        assert response.status_code == 200, text


def test_the_index_follows_inserts_updates_and_deletes(synced):
    prod = Account.objects.get(name="acme-prod")
    prod.name = "kestrel-prod"
    prod.save()
    rename(prod)  # bulk_update of the search column
    assert found("kestrel") == expected("kestrel") != set()
    assert found("acme-prod") == set()
    gone = ServiceLinkedRole.objects.filter(account=prod).first()
    gone.delete()
    assert gone.pk not in found("kestrel")
    assert found("kestrel") == expected("kestrel")
    if connection.vendor == "sqlite":
        assert fts_ids() == set(ServiceLinkedRole.objects.values_list("pk", flat=True))


def test_sqlite_keeps_a_trigram_table_and_repairs_it_after_migrate(synced):
    """Django rebuilds a SQLite table to alter it, dropping its triggers: the
    post_migrate check puts them back and refills the table."""
    if connection.vendor != "sqlite":
        search.ensure_index()
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass(%s)", [search.TABLE])
            assert cursor.fetchone()[0] is None  # PostgreSQL uses its GIN index
        assert found("ecs") == expected("ecs")
        return
    assert fts_ids() == set(ServiceLinkedRole.objects.values_list("pk", flat=True))
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER slr_search_fts_insert")
        cursor.execute("DROP TRIGGER slr_search_fts_update")
    role = ServiceLinkedRole.objects.get(account__name="acme-prod", name="AWSServiceRoleForECS")
    role.search = role.search + " heron"
    role.save(update_fields=["search"])
    search.ensure_index()
    assert found("heron") == {role.pk}
    assert fts_ids() == set(ServiceLinkedRole.objects.values_list("pk", flat=True))


def test_the_service_filter_finds_exactly_the_roles_of_matching_services(viewer_client, synced):
    for text in ("ecs", "ECS.amazonaws", "autoscaling", "zz", "e", '"', "%"):
        response = viewer_client.get(reverse("roles"), {"service": text})
        assert response.status_code == 200, text
        shown = {role.pk for role in response.context["page"]}
        wanted = set(
            ServiceLinkedRole.objects.filter(service_principal__icontains=text).values_list(
                "pk", flat=True
            )
        )
        assert shown == wanted, text  # fewer than a page of roles in two accounts
    ecs = viewer_client.get(reverse("roles"), {"service": "ecs"}).context["page"]
    assert {role.service_principal for role in ecs} == {"ecs.amazonaws.com"}


def test_migrating_back_past_the_search_index_and_forward_again(tmp_path):
    """The triggers name the search column: undoing migration 0022 removes them, so
    migration 0014 can be undone too, and migrating forward again rebuilds the table."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'migrations.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "dashboard.settings_test",
    }
    for target in ([], ["roles", "0013"], [], ["roles", "0021"], ["roles", "0013"], []):
        done = subprocess.run(
            [sys.executable, "manage.py", "migrate", "--no-input", *target],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, (target, done.stderr[-2000:])
    with sqlite3.connect(tmp_path / "migrations.sqlite3") as db:
        names = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    assert {search.TABLE, *search.TRIGGERS} <= names


def test_the_service_box_offers_each_principal_once_escaped(viewer_client, synced):
    """The principals come from AWS: a hostile one is offered escaped, with its
    invisible characters shown, and the filter finds it like any other."""
    account = Account.objects.get(name="acme-prod")
    principal = 'x"><script>alert(1)</script>\u202e.amazonaws.com'
    hostile = ServiceLinkedRole.objects.create(
        account=account,
        account_name=account.name,
        arn=f"arn:aws:iam::{account.aws_account_id}:role/aws-service-role/x/AWSServiceRoleForX",
        name="AWSServiceRoleForX",
        path="/aws-service-role/x/",
        service_principal=principal,
    )
    known = set(ServiceLinkedRole.objects.values_list("service_principal", flat=True))
    offered = search.principals()
    assert len(offered) == len(known) and set(offered) == known
    html = viewer_client.get(reverse("roles")).content.decode()
    datalist = html[html.index('<datalist id="known-services">') : html.index("</datalist>")]
    assert datalist.count("<option ") == len(known)
    assert "<script>" not in html and "&lt;script&gt;" in datalist and "\\u202e" in datalist
    response = viewer_client.get(reverse("roles"), {"service": "<script>"})
    assert [role.pk for role in response.context["page"]] == [hostile.pk]


def query_plan(queryset) -> str:
    """The database's plan for queryset: SQLite's EXPLAIN QUERY PLAN; on PostgreSQL
    with sequential scans and sorts priced out, so a tiny test table still shows
    whether an index can give the rows in order."""
    sql, params = queryset.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            return "\n".join(str(row[-1]) for row in cursor.fetchall())
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize("sort", ["account", "service", "-service"])
def test_one_service_in_the_lists_order_is_a_walk_along_one_index(viewer_client, synced, sort):
    """The service filter names principals (an equality, not a substring test of
    every row) and slr_principal_by_account gives that service's roles in the
    list's order: a page reads its 51 rows, not every role of the service."""
    response = viewer_client.get(reverse("roles"), {"service": "ecs", "sort": sort})
    form = response.context["form"]
    assert "LIKE" not in str(form.filtered().query).upper()
    plan = query_plan(form.queryset()[:51])
    assert "slr_principal_by_account" in plan, plan
    assert "TEMP B-TREE" not in plan and "Sort" not in plan, plan

"""The role list's search box: a substring of a role's ARN, service principal or
account name, matched in the lower-case `search` column the sync's store writes.

A substring match cannot use an ordinary index. On PostgreSQL the trigram GIN index
`slr_search_trgm` (migration 0014) serves `LIKE '%word%'` directly. SQLite has no such
index, so a SQLite database keeps a trigram FTS5 table beside the roles, filled and
kept current by triggers: a search of three characters or more first takes the
matching row ids from it, then checks the substring on those rows alone. Shorter
searches, and a SQLite built without FTS5, scan the column.

Migration 0022 creates the table and triggers (and drops them when undone). Django
rebuilds a SQLite table to alter it, and dropping the old table drops its triggers;
so after every `migrate` the table and triggers are checked and, if any was missing,
created and the table refilled (ensure_index, run on post_migrate).
"""

from __future__ import annotations

import logging

from django.db import DatabaseError, connections
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

log = logging.getLogger(__name__)

TABLE = "slr_search_fts"
ROLES = "roles_servicelinkedrole"
TRIGGERS = {
    "slr_search_fts_insert": (
        f"AFTER INSERT ON {ROLES} BEGIN "
        f"INSERT INTO {TABLE}(rowid, search) VALUES (new.id, new.search); END"
    ),
    "slr_search_fts_update": (
        f"AFTER UPDATE OF search ON {ROLES} BEGIN "
        f"DELETE FROM {TABLE} WHERE rowid = old.id; "
        f"INSERT INTO {TABLE}(rowid, search) VALUES (new.id, new.search); END"
    ),
    "slr_search_fts_delete": (
        f"AFTER DELETE ON {ROLES} BEGIN DELETE FROM {TABLE} WHERE rowid = old.id; END"
    ),
}
# The trigram tokenizer matches nothing shorter than one trigram.
SHORTEST = 3

_ready: dict[str, bool] = {}


def _present(cursor) -> set[str]:
    names = [TABLE, *TRIGGERS]
    marks = ", ".join(["%s"] * len(names))
    cursor.execute(f"SELECT name FROM sqlite_master WHERE name IN ({marks})", names)
    return {name for (name,) in cursor.fetchall()}


MIGRATION = ("roles", "0022_search_index")


def create_index(connection) -> None:
    """SQLite: create the FTS5 table and its triggers where missing, refilling the
    table when anything was missing."""
    _ready.pop(connection.settings_dict["NAME"], None)
    with connection.cursor() as cursor:
        if _present(cursor) >= {TABLE, *TRIGGERS}:
            return
        try:
            cursor.execute(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} "
                "USING fts5(search, tokenize = 'trigram')"
            )
        except DatabaseError as error:  # SQLite built without FTS5 or trigram (< 3.34)
            log.warning("role search scans every row: no FTS5 trigram table (%s)", error)
            return
        for name, body in TRIGGERS.items():
            cursor.execute(f"CREATE TRIGGER IF NOT EXISTS {name} {body}")
        cursor.execute(f"DELETE FROM {TABLE}")
        cursor.execute(f"INSERT INTO {TABLE}(rowid, search) SELECT id, search FROM {ROLES}")


def drop_index(connection) -> None:
    """SQLite: remove the triggers and the table (migration 0022 undone: the triggers
    name the search column, which SQLite would not let an earlier migration drop)."""
    _ready.pop(connection.settings_dict["NAME"], None)
    with connection.cursor() as cursor:
        for name in TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")


def ensure_index(using: str = "default", **_) -> None:
    """Before and after every `migrate` (pre_migrate, post_migrate), on SQLite: the
    table and triggers exist exactly while migration 0022 is applied. After a table
    rebuild this puts back what it dropped; before a migration back past 0022 it
    clears what an older copy of this module made outside the migration."""
    from django.db.migrations.recorder import MigrationRecorder

    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    if MIGRATION in MigrationRecorder(connection).applied_migrations():
        create_index(connection)
    else:
        drop_index(connection)


def _indexed(connection) -> bool:
    name = connection.settings_dict["NAME"]
    if name not in _ready:
        with connection.cursor() as cursor:
            _ready[name] = _present(cursor) >= {TABLE, *TRIGGERS}
    return _ready[name]


def matching(qs: QuerySet, text: str) -> QuerySet:
    """Roles of qs whose ARN, service principal or account name contains text."""
    text = text.lower()
    qs = qs.filter(search__contains=text)
    connection = connections[qs.db]
    if connection.vendor == "sqlite" and len(text) >= SHORTEST and _indexed(connection):
        phrase = '"' + text.replace('"', '""') + '"'
        ids = RawSQL(f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s", [phrase])
        qs = qs.filter(pk__in=ids)
    return qs


# Each distinct principal in index order, one probe of slr_principal_by_account per
# principal (a loose index scan): ~150 AWS services cost ~150 probes, whatever the
# number of roles, on SQLite and PostgreSQL alike.
PRINCIPALS = f"""
WITH RECURSIVE walk(principal) AS (
    SELECT MIN(service_principal) FROM {ROLES}
    UNION ALL
    SELECT (SELECT MIN(service_principal) FROM {ROLES} WHERE service_principal > walk.principal)
    FROM walk WHERE walk.principal IS NOT NULL
)
SELECT principal FROM walk WHERE principal IS NOT NULL
"""


def principals(using: str = "default") -> list[str]:
    """Every service principal that some role has, in order."""
    with connections[using].cursor() as cursor:
        cursor.execute(PRINCIPALS)
        return [principal for (principal,) in cursor.fetchall()]


def by_service(qs: QuerySet, text: str, known: list[str]) -> QuerySet:
    """Roles of qs whose service principal contains text (any case). `known` is
    principals(): the text becomes the principals it names, so the filter is an
    equality an index serves rather than a substring test of every row."""
    text = text.lower()
    named = [principal for principal in known if text in principal.lower()]
    if len(named) == len(known):
        return qs  # every role's service matches
    return qs.filter(service_principal__in=named)

"""On PostgreSQL, a trigram index for the audit page's free-text search.

`search LIKE '%text%'` cannot use a B-tree; with pg_trgm's GIN index it stays
an index lookup at millions of rows. pg_trgm is a trusted extension (the
database owner may create it). Where it cannot be created, search still works,
by scanning; `bench/audit.py` shows the difference.
"""

from django.db import migrations


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        if cursor.fetchone() is None:
            cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
            if cursor.fetchone() is None:
                return
            cursor.execute("SAVEPOINT rolecall_trgm")
            try:
                cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            except Exception:  # noqa: BLE001 - no privilege: search falls back to a scan
                cursor.execute("ROLLBACK TO SAVEPOINT rolecall_trgm")
                return
        cursor.execute(
            "CREATE INDEX IF NOT EXISTS audit_search_trgm ON roles_auditevent "
            "USING gin (search gin_trgm_ops)"
        )


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS audit_search_trgm")


class Migration(migrations.Migration):
    dependencies = [("roles", "0004_audit_append_only")]

    operations = [migrations.RunPython(install, remove)]

"""Helpers shared by the audit tests."""

from contextlib import contextmanager

from django.db import connection, transaction


@contextmanager
def triggers_bypassed():
    """Edit the audit table as an attacker with database access would.

    On PostgreSQL the append-only triggers are skipped for this transaction
    (session_replication_role needs a superuser, as the test role is).
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")
        yield


def raw(sql: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)

"""The access groups. Created by migration 0002 and again after every `migrate` or
`flush` (ensure, on post_migrate: a flush empties the table the migration filled); the
test personas (tests/conftest.py) use them."""

from django.db import connections

VIEWER = "viewer"
OPERATOR = "operator"
APPROVER = "approver"

ALL = (VIEWER, OPERATOR, APPROVER)


def ensure(using: str = "default", **_) -> None:
    """The three groups exist (post_migrate receiver, roles/access/ready.py); nothing
    when auth's table is not there (migrated back to zero)."""
    from django.contrib.auth.models import Group  # this module is read before models are

    if Group._meta.db_table not in connections[using].introspection.table_names():
        return
    for name in ALL:
        Group.objects.using(using).get_or_create(name=name)

"""SQLite: the role search's trigram FTS5 table and the triggers that keep it
(roles/inventory/search.py). PostgreSQL has its trigram GIN index from migration 0014."""

from django.db import migrations


def create(apps, schema_editor):
    from roles.inventory import search

    if schema_editor.connection.vendor == "sqlite":
        search.create_index(schema_editor.connection)


def drop(apps, schema_editor):
    from roles.inventory import search

    if schema_editor.connection.vendor == "sqlite":
        search.drop_index(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("roles", "0021_cluster_name_index"),
    ]

    operations = [migrations.RunPython(create, drop)]

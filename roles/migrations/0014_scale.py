"""Scale to an organization: the per-account summary, the role list's sort and search
columns, one index per sort (keyset pages), and on PostgreSQL a trigram index for
the search box and a NULLS FIRST index for "last used" (SQLite sorts NULLs first
in an ascending index already, and refuses the words).
"""

from datetime import timedelta

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Max
from django.utils import timezone

LIVE = ("present", "recreated")


def fill(apps, schema_editor):
    Account = apps.get_model("roles", "Account")
    Role = apps.get_model("roles", "ServiceLinkedRole")
    Summary = apps.get_model("roles", "AccountSummary")
    now = timezone.now()
    cutoff = now - timedelta(days=90)
    for account in Account.objects.all():
        roles = list(Role.objects.filter(account=account))
        for role in roles:
            role.account_name = account.name
            role.search = f"{role.arn} {role.service_principal} {account.name}".lower()
        Role.objects.bulk_update(roles, ["account_name", "search"], batch_size=1000)
        live = [r for r in roles if r.state in LIVE]
        verdicts = {}
        for role in live:
            verdicts[role.verdict] = verdicts.get(role.verdict, 0) + 1
        in_use = sum(1 for r in live if r.last_used_at and r.last_used_at >= cutoff)
        Summary.objects.update_or_create(
            account=account,
            defaults={
                "roles": len(roles),
                "live": len(live),
                "in_use": in_use,
                "unused": len(live) - in_use,
                "blocked": sum(1 for r in live if r.blocker_count),
                "verdicts": verdicts,
                "stale_regions": account.ecs_regions.filter(stale=True).count(),
                "stale_reads": apps.get_model("roles", "ServiceRegion")
                .objects.filter(account=account, stale=True)
                .count(),
                "last_success": account.syncs.filter(status="succeeded").aggregate(
                    at=Max("finished")
                )["at"],
                "computed": now,
            },
        )


def indexes(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS slr_by_last_used "
            "ON roles_servicelinkedrole (last_used_at, name, id)"
        )
        return
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS slr_by_last_used "
        "ON roles_servicelinkedrole (last_used_at ASC NULLS FIRST, name, id)"
    )
    with connection.cursor() as cursor:
        # pg_trgm comes from migration 0005 where the database allows it.
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        if cursor.fetchone() is not None:
            cursor.execute(
                "CREATE INDEX IF NOT EXISTS slr_search_trgm ON roles_servicelinkedrole "
                "USING gin (search gin_trgm_ops)"
            )


def drop_indexes(apps, schema_editor):
    schema_editor.execute("DROP INDEX IF EXISTS slr_by_last_used")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS slr_search_trgm")


class Migration(migrations.Migration):
    dependencies = [
        ("roles", "0013_service_blockers"),
    ]

    operations = [
        migrations.CreateModel(
            name="AccountSummary",
            fields=[
                (
                    "account",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="summary",
                        serialize=False,
                        to="roles.account",
                    ),
                ),
                ("roles", models.PositiveIntegerField(default=0)),
                ("live", models.PositiveIntegerField(default=0)),
                ("in_use", models.PositiveIntegerField(default=0)),
                ("unused", models.PositiveIntegerField(default=0)),
                ("blocked", models.PositiveIntegerField(default=0)),
                ("verdicts", models.JSONField(blank=True, default=dict)),
                ("stale_regions", models.PositiveIntegerField(default=0)),
                ("stale_reads", models.PositiveIntegerField(default=0)),
                ("last_success", models.DateTimeField(blank=True, null=True)),
                ("computed", models.DateTimeField(blank=True, null=True)),
            ],
        ),
        migrations.AlterModelOptions(
            name="servicelinkedrole",
            options={"ordering": ["account_name", "name", "pk"]},
        ),
        migrations.RemoveIndex(
            model_name="servicelinkedrole",
            name="slr_principal",
        ),
        migrations.AddField(
            model_name="servicelinkedrole",
            name="account_name",
            field=models.CharField(default="", max_length=100),
        ),
        migrations.AddField(
            model_name="servicelinkedrole",
            name="search",
            field=models.TextField(blank=True, default=""),
        ),
        migrations.AddIndex(
            model_name="servicelinkedrole",
            index=models.Index(fields=["service_principal", "name", "id"], name="slr_principal"),
        ),
        migrations.AddIndex(
            model_name="servicelinkedrole",
            index=models.Index(fields=["account_name", "name", "id"], name="slr_by_account"),
        ),
        migrations.AddIndex(
            model_name="servicelinkedrole",
            index=models.Index(fields=["name", "id"], name="slr_by_name"),
        ),
        migrations.AddIndex(
            model_name="servicelinkedrole",
            index=models.Index(fields=["blocker_count", "name", "id"], name="slr_by_blockers"),
        ),
        migrations.AddIndex(
            model_name="servicelinkedrole",
            index=models.Index(fields=["state", "name", "id"], name="slr_by_state"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(indexes, drop_indexes),
    ]

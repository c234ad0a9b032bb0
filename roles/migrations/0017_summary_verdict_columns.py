"""The per-account verdict counts as one integer column per verdict, so the overview
and the role list's Readiness count sum them in SQL instead of decoding one JSON
document per account in Python (2,000 of them at organization size)."""

from django.db import migrations, models

VERDICTS = ("ready", "blocked", "unknown", "not_checked", "not_deletable")


def copy(apps, schema_editor):
    Summary = apps.get_model("roles", "AccountSummary")
    rows = list(Summary.objects.all())
    for row in rows:
        for verdict in VERDICTS:
            setattr(row, f"verdict_{verdict}", (row.verdicts or {}).get(verdict, 0))
    Summary.objects.bulk_update(rows, [f"verdict_{v}" for v in VERDICTS], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("roles", "0016_verdict_index"),
    ]

    operations = [
        *(
            migrations.AddField(
                model_name="accountsummary",
                name=f"verdict_{verdict}",
                field=models.PositiveIntegerField(default=0),
            )
            for verdict in VERDICTS
        ),
        migrations.RunPython(copy, migrations.RunPython.noop),
        migrations.RemoveField(model_name="accountsummary", name="verdicts"),
    ]

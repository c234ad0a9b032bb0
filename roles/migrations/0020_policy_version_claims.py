"""A policy version claimed by the sync that reads it: syncs of several accounts at once
read each new version once, the others waiting for its document (roles/inventory/policies.py)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("roles", "0019_drop_ecs_lists"),
    ]

    operations = [
        migrations.AddField(
            model_name="managedpolicyversion",
            name="claim",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name="managedpolicyversion",
            name="claimed_until",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="managedpolicyversion",
            name="document",
            field=models.JSONField(blank=True, null=True),
        ),
    ]

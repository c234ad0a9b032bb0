"""Managed policy documents read once per (policy ARN, version id) for the whole
organization (roles/inventory/policies.py)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("roles", "0014_scale"),
    ]

    operations = [
        migrations.CreateModel(
            name="ManagedPolicyVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("arn", models.CharField(max_length=2048)),
                ("version_id", models.CharField(max_length=128)),
                ("document", models.JSONField()),
                ("first_read", models.DateTimeField(auto_now_add=True)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("arn", "version_id"), name="managed_policy_version"
                    )
                ],
            },
        ),
    ]

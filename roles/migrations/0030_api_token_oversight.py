"""Who revoked an API token (its owner or an administrator), and the notification
kind that tells an owner an administrator revoked theirs."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("roles", "0029_outbound_notifications"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="revoked_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="notificationroute",
            name="kind",
            field=models.CharField(
                choices=[
                    ("deletion_outcome", "Deletion outcome"),
                    ("approval_needed", "Approval needed"),
                    ("sync_failure", "Sync failure"),
                    ("recreated_role", "Recreated role"),
                    ("campaign_finished", "Campaign finished"),
                    ("api_token_revoked", "Your API token revoked by an administrator"),
                ],
                max_length=32,
            ),
        ),
    ]

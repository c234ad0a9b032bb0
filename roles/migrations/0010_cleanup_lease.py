from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("roles", "0009_deletion_bindings"),
    ]

    operations = [
        migrations.AddField(
            model_name="cleanupregion",
            name="lease_token",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name="cleanupregion",
            name="lease_until",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("roles", "0010_cleanup_lease"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="done_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]

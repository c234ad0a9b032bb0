"""A region's ECS clusters in name order, a page at a time, read from an index."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("roles", "0020_policy_version_claims"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="ecscluster",
            index=models.Index(fields=["region", "name", "id"], name="ecs_cluster_by_name"),
        ),
    ]

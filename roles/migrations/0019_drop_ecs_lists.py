"""The sync reads each ECS cluster with its counts only: its services and container
instances are read from AWS when a page or a cleanup plan needs them, so the tables
that held copies of them go."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("roles", "0018_cleanup_region_counts"),
    ]

    operations = [
        migrations.DeleteModel(name="EcsService"),
        migrations.DeleteModel(name="EcsContainerInstance"),
    ]

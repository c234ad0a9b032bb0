"""Each cleanup region's step, action and cluster counts, kept on the region when the
plan is built, so a plan's page shows them without counting every step."""

from django.db import migrations, models
from django.db.models import Count


def fill(apps, schema_editor):
    Region = apps.get_model("roles", "CleanupRegion")
    Step = apps.get_model("roles", "CleanupStep")
    regions = {r.pk: r for r in Region.objects.all()}
    steps = Step.objects.order_by()
    for row in steps.values("region_id", "action").annotate(n=Count("pk")):
        region = regions[row["region_id"]]
        region.step_total += row["n"]
        region.step_actions[row["action"]] = row["n"]
    clusters = steps.values("region_id").annotate(n=Count("cluster_arn", distinct=True))
    for row in clusters:
        regions[row["region_id"]].cluster_total = row["n"]
    fields = ["step_total", "step_actions", "cluster_total"]
    Region.objects.bulk_update(list(regions.values()), fields, batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("roles", "0017_summary_verdict_columns"),
    ]

    operations = [
        migrations.AddField(
            model_name="cleanupregion",
            name="step_total",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="cleanupregion",
            name="step_actions",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name="cleanupregion",
            name="cluster_total",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]

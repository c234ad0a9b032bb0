import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def fill(apps, schema_editor):
    """Bind existing requests to what their rows name, and credit each attempt to
    whoever asked for it (the requester, or the actor of its deletion.retried event)."""
    DeletionRequest = apps.get_model("roles", "DeletionRequest")
    DeletionAttempt = apps.get_model("roles", "DeletionAttempt")
    AuditEvent = apps.get_model("roles", "AuditEvent")
    for deletion in DeletionRequest.objects.select_related("account", "role"):
        deletion.bound_account_id = deletion.account.aws_account_id
        deletion.bound_role_id = deletion.role.role_id
        deletion.save(update_fields=["bound_account_id", "bound_role_id"])
    retried = {}
    for event in AuditEvent.objects.filter(action="deletion.retried").order_by("seq"):
        key = (event.details.get("deletion_request"), event.details.get("attempt"))
        retried[key] = (event.actor_id, event.actor_name)
    for attempt in DeletionAttempt.objects.select_related("request"):
        who = retried.get((attempt.request_id, attempt.number))
        if who is None:
            who = (attempt.request.requested_by_id, attempt.request.requested_by_name)
        attempt.requested_by_id, attempt.requested_by_name = who
        attempt.save(update_fields=["requested_by", "requested_by_name"])


class Migration(migrations.Migration):
    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("roles", "0008_cleanup"),
    ]

    operations = [
        migrations.AddField(
            model_name="deletionrequest",
            name="bound_account_id",
            field=models.CharField(default="", max_length=12),
        ),
        migrations.AddField(
            model_name="deletionrequest",
            name="bound_role_id",
            field=models.CharField(default="", max_length=128),
        ),
        migrations.AddField(
            model_name="deletionrequest",
            name="evidence_version",
            field=models.PositiveIntegerField(default=1),
        ),
        migrations.AddField(
            model_name="deletionrequest",
            name="evidence_log",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name="deletionattempt",
            name="requested_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="deletionattempt",
            name="requested_by_name",
            field=models.CharField(blank=True, max_length=150),
        ),
        migrations.AddField(
            model_name="deletionattempt",
            name="checked_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]

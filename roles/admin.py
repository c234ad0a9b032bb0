from django.contrib import admin

from roles.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: audit rows are written only through AuditEvent.objects.record()."""

    list_display = ("seq", "time", "actor_name", "action", "outcome", "target_arn", "source_ip")
    list_filter = ("outcome", "action")
    search_fields = ("actor_name", "target_arn", "aws_request_id", "deletion_task_id")
    ordering = ("-seq",)
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

from django.contrib import admin

from roles.models import AuditEvent, ProtectedRule


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


@admin.register(ProtectedRule)
class ProtectedRuleAdmin(admin.ModelAdmin):
    """The protected list's admin page; every change is an audit event."""

    list_display = ("kind", "pattern", "reason", "created")

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        AuditEvent.objects.record(
            "protection.changed",
            request=request,
            details={
                "op": "changed" if change else "added",
                "kind": obj.kind,
                "pattern": obj.pattern,
                "reason": obj.reason,
            },
        )

    def delete_model(self, request, obj):
        AuditEvent.objects.record(
            "protection.changed",
            request=request,
            details={"op": "removed", "kind": obj.kind, "pattern": obj.pattern},
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from roles.access.reauth import is_fresh, require_fresh
from roles.audit.models import AuditEvent
from roles.inventory.protection import ProtectedRule, normal_account_id, rules_matching_nothing


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


class ProtectedRuleForm(forms.ModelForm):
    class Meta:
        model = ProtectedRule
        fields = ["kind", "pattern", "reason"]

    def clean(self):
        cleaned = super().clean()
        pattern = (cleaned.get("pattern") or "").strip()
        if cleaned.get("kind") == ProtectedRule.Kind.ACCOUNT:
            # "1111-2222-3333" as the console shows it is accepted and stored as 12 digits;
            # anything else would be a rule that silently protects nothing.
            account_id = normal_account_id(pattern)
            if not (account_id.isascii() and account_id.isdigit() and len(account_id) == 12):
                raise ValidationError({"pattern": "An AWS account id is 12 digits."})
            pattern = account_id
        elif not pattern:
            raise ValidationError({"pattern": "Enter a role name or ARN pattern."})
        cleaned["pattern"] = pattern
        return cleaned


def _values(rule: ProtectedRule) -> dict:
    return {"kind": rule.kind, "pattern": rule.pattern, "reason": rule.reason}


def _weakens(rule: ProtectedRule, data) -> bool:
    """An edit of the kind or pattern can leave a role unprotected; the reason cannot."""
    if data.get("kind", rule.kind) != rule.kind:
        return True
    pattern = (data.get("pattern") or "").strip()
    if rule.kind == ProtectedRule.Kind.ACCOUNT:
        pattern = normal_account_id(pattern)
    return pattern != rule.pattern


@admin.register(ProtectedRule)
class ProtectedRuleAdmin(admin.ModelAdmin):
    """The protected list's admin page; every change is an audit event.

    Adding a rule only strengthens the rails. Removing one, or changing its kind or
    pattern, can weaken them, so it needs the password entered within
    ROLECALL_REAUTH_MINUTES (roles/access/reauth.py).
    """

    form = ProtectedRuleForm
    list_display = ("kind", "pattern", "reason", "created")
    # Deleting is one rule at a time through delete_view, which asks for the password.
    actions = None

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def changelist_view(self, request, extra_context=None):
        if request.method == "GET":
            rules = [*ProtectedRule.objects.all(), *_settings_rules()]
            for rule in rules_matching_nothing(rules):
                messages.warning(request, _nothing_message(rule))
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        rule = self.get_object(request, object_id)
        if rule is not None and request.method == "POST" and _weakens(rule, request.POST):
            if not is_fresh(request):
                messages.warning(
                    request,
                    "Changing a protected rule's kind or pattern can leave roles unprotected: "
                    "enter your password, then make the change again.",
                )
                return require_fresh(request)
        if rule is not None and request.method == "GET" and rules_matching_nothing([rule]):
            messages.warning(request, _nothing_message(rule))
        return super().change_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        if self.get_object(request, object_id) is not None:
            # GET too: the confirmation page sends the user back here after re-authenticating.
            redirect = require_fresh(request)
            if redirect is not None:
                return redirect
        return super().delete_view(request, object_id, extra_context)

    def save_model(self, request, obj, form, change):
        before = _values(ProtectedRule.objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)
        AuditEvent.objects.record(
            "protection.changed",
            request=request,
            details={
                "op": "changed" if change else "added",
                **_values(obj),
                "before": before,
                "after": _values(obj),
            },
        )

    def delete_model(self, request, obj):
        AuditEvent.objects.record(
            "protection.changed",
            request=request,
            details={
                "op": "removed",
                "kind": obj.kind,
                "pattern": obj.pattern,
                "before": _values(obj),
                "after": None,
            },
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


def _settings_rules() -> list[ProtectedRule]:
    """The settings' entries as unsaved rules, so the page warns about their typos too."""
    rules = []
    for setting, kind in (
        ("ROLECALL_PROTECTED_ROLES", ProtectedRule.Kind.ROLE),
        ("ROLECALL_PROTECTED_ACCOUNTS", ProtectedRule.Kind.ACCOUNT),
    ):
        for pattern in getattr(settings, setting):
            rule = ProtectedRule(kind=kind, pattern=pattern)
            rule.setting = setting
            rules.append(rule)
    return rules


def _nothing_message(rule: ProtectedRule) -> str:
    what = "account rolecall knows" if rule.kind == ProtectedRule.Kind.ACCOUNT else "known role"
    setting = getattr(rule, "setting", None)
    name = f"The {setting} entry" if setting else f"The rule {rule.kind}"
    return (
        f"{name} {rule.pattern!r} matches no {what}. "
        "Check it for a typo; it still applies to anything added later."
    )

"""What the API answers with: read-only shapes of the models, and the write bodies.

Lists read only the columns their serializer names (the views' querysets say
which related rows come along), so no list reads a row per item.
"""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from roles.audit.models import AuditEvent
from roles.campaigns.models import Campaign
from roles.cleanup.models import CleanupPlan
from roles.core.models import Account
from roles.deletion.models import DeletionAttempt, DeletionRequest
from roles.inventory.models import ServiceLinkedRole
from roles.inventory.sync.models import SyncRun
from roles.notifications.models import Notification


@extend_schema_field(OpenApiTypes.URI)
class PageLink(serializers.Field):
    """The web page of the same thing, for a person following up."""

    def __init__(self, name: str, **kwargs):
        self.name = name
        super().__init__(source="pk", read_only=True, **kwargs)

    def to_representation(self, value) -> str:
        return self.context["request"].build_absolute_uri(reverse(self.name, args=[value]))


class AccountSerializer(serializers.ModelSerializer):
    page = PageLink("account-detail")

    class Meta:
        model = Account
        fields = [
            *("id", "aws_account_id", "name", "production", "enabled", "paused", "regions"),
            *("created", "updated", "page"),
        ]


class SyncRunSerializer(serializers.ModelSerializer):
    joined = serializers.BooleanField(
        read_only=True, help_text="True when a sync already under way was joined."
    )

    class Meta:
        model = SyncRun
        fields = [
            *("id", "account", "status", "created", "started", "finished", "aws_calls"),
            *("error", "joined"),
        ]


class RoleSerializer(serializers.ModelSerializer):
    account_aws_id = serializers.CharField(read_only=True)
    page = PageLink("role-detail")

    class Meta:
        model = ServiceLinkedRole
        fields = [
            *("id", "account", "account_name", "account_aws_id", "name", "service_principal"),
            *("state", "last_used_at", "last_used_region", "verdict", "blocker_count"),
            *("blocked_regions", "unknown_regions", "page"),
        ]


class RoleDetailSerializer(serializers.ModelSerializer):
    account_aws_id = serializers.SerializerMethodField()
    page = PageLink("role-detail")
    evidence = serializers.SerializerMethodField(
        help_text="What a deletion of this role would be confirmed on: last use, "
        "Access Advisor, the verdict and its blockers per region."
    )
    protected = serializers.SerializerMethodField()
    active_deletion = serializers.SerializerMethodField()

    class Meta:
        model = ServiceLinkedRole
        fields = [
            *("id", "account", "account_name", "account_aws_id", "arn", "name", "path"),
            *("service_principal", "role_id", "description", "aws_created_at", "state"),
            *("last_used_at", "last_used_region", "last_synced", "verdict", "blocker_count"),
            *("blocked_regions", "unknown_regions", "protected", "active_deletion", "evidence"),
            "page",
        ]

    def get_account_aws_id(self, role) -> str:
        return role.account.aws_account_id

    def get_evidence(self, role) -> dict:
        return self.context["evidence"]

    def get_protected(self, role) -> str:
        return self.context["protected"] or ""

    def get_active_deletion(self, role) -> int | None:
        return self.context["active_deletion"]


class AttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeletionAttempt
        fields = [
            *("number", "requested_by_name", "deletion_task_id", "status", "reason"),
            *("role_usage_list", "error", "submit_request_id", "created", "submitted_at"),
            "finished_at",
        ]


APPROVAL_FIELDS = (
    *("requested_by_name", "approval_required", "approved_by", "approved_at", "rejected_by"),
    *("decision_comment", "created", "updated", "finished"),
)


class DeletionSerializer(serializers.ModelSerializer):
    page = PageLink("deletion-detail")

    class Meta:
        model = DeletionRequest
        fields = [
            *("id", "state", "role", "role_arn", "role_name", "account", "bound_account_id"),
            *("evidence_version", "campaign", "last_error", *APPROVAL_FIELDS, "page"),
        ]


class DeletionDetailSerializer(DeletionSerializer):
    attempts = AttemptSerializer(many=True, read_only=True)
    # Who AWS is told asked: the change session's SourceIdentity, as CloudTrail shows it.
    source_identity = serializers.CharField(read_only=True)

    class Meta(DeletionSerializer.Meta):
        fields = [
            *DeletionSerializer.Meta.fields,
            *("evidence", "voided_changes", "attempts", "source_identity"),
        ]


class CleanupSerializer(serializers.ModelSerializer):
    page = PageLink("cleanup-detail")

    class Meta:
        model = CleanupPlan
        fields = [
            *("id", "state", "role", "role_arn", "role_name", "account", "inventory_calls"),
            *("protected_notes", "started", *APPROVAL_FIELDS, "page"),
        ]


class OverviewSerializer(serializers.Serializer):
    """The overview's counts of live roles (roles/inventory/summary.py totals)."""

    roles = serializers.IntegerField(help_text="Live service-linked roles.")
    in_use = serializers.IntegerField(help_text="Used within the last 90 days.")
    unused = serializers.IntegerField()
    blocked = serializers.IntegerField(
        help_text="Roles whose verdict is `blocked`: the roles list's `has_blockers=yes` "
        "and `verdict=blocked` give these same roles."
    )
    verdicts = serializers.DictField(
        child=serializers.IntegerField(), help_text="Live roles per verdict."
    )


class CampaignSerializer(serializers.ModelSerializer):
    page = PageLink("campaign-detail")

    class Meta:
        model = Campaign
        fields = [
            *("id", "name", "state", "version", "selection", "approval_confirmation"),
            *("started", *APPROVAL_FIELDS, "page"),
        ]


class CampaignDetailSerializer(CampaignSerializer):
    totals = serializers.SerializerMethodField()
    confirmation = serializers.SerializerMethodField(
        help_text="What an approver types to approve it (`typed`)."
    )

    not_checked = serializers.SerializerMethodField(
        help_text="null, or the roles it acts on that rolecall could not check "
        "(`roles`), included because their author acknowledged it (`by`, `at`, frozen "
        "when the campaign was drafted). Without that acknowledgement they are left alone."
    )

    class Meta(CampaignSerializer.Meta):
        fields = [*CampaignSerializer.Meta.fields, "totals", "confirmation", "not_checked"]

    def get_totals(self, campaign) -> dict:
        return self.context["totals"]

    @extend_schema_field(
        {
            "type": "object",
            "nullable": True,
            "properties": {
                "by": {"type": "string"},
                "at": {"type": "string", "format": "date-time"},
                "roles": {"type": "integer"},
            },
        }
    )
    def get_not_checked(self, campaign) -> dict | None:
        return self.context["not_checked"]

    def get_confirmation(self, campaign) -> str:
        return self.context["confirmation"]


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "level", "title", "body", "link", "created", "read_at", "done_at"]


class AuditEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = [
            *("seq", "time", "actor_name", "action", "outcome", "source_ip", "target_arn"),
            *("account_id", "region", "aws_request_id", "deletion_task_id", "details"),
        ]


# --- write bodies -------------------------------------------------------------


class DeletionBody(serializers.Serializer):
    confirm = serializers.CharField(
        max_length=512, trim_whitespace=False, help_text="The role's name, exactly."
    )
    confirm_account = serializers.CharField(
        max_length=100,
        trim_whitespace=False,
        required=False,
        help_text="In a production account: the account's name, exactly.",
    )


class DecisionBody(serializers.Serializer):
    comment = serializers.CharField(max_length=1000)
    version = serializers.IntegerField(
        min_value=1,
        max_value=2**31 - 1,
        required=False,
        help_text="The evidence version (a deletion's `evidence_version`, a campaign's "
        "`version`) you reviewed: required for deletions and campaigns, so a decision "
        "never applies to evidence you did not see.",
    )
    typed = serializers.CharField(
        max_length=500, required=False, help_text="A campaign's `confirmation`, exactly."
    )


class ProblemSerializer(serializers.Serializer):
    """Every error: a stable code and a message (roles/api/errors.py)."""

    code = serializers.CharField()
    message = serializers.CharField()
    errors = serializers.DictField(required=False)
    existing = serializers.URLField(required=False)
    aws = serializers.DictField(required=False)

"""rolecall's models, one module per feature."""

from roles.api.models import ApiToken
from roles.audit.models import AuditEvent, Outcome
from roles.campaigns.models import Campaign, CampaignRole
from roles.cleanup.models import CleanupPlan, CleanupRegion, CleanupStep
from roles.core.models import Account
from roles.deletion.models import DeletionAttempt, DeletionRequest
from roles.inventory.models import (
    AccessAdvisorEntry,
    EcsCluster,
    EcsRegion,
    ServiceLinkedRole,
    ServiceRegion,
    ServiceResource,
)
from roles.inventory.policies import ManagedPolicyVersion
from roles.inventory.protection import ProtectedRule
from roles.inventory.summary import AccountSummary
from roles.inventory.sync.models import SyncRun
from roles.jobs.models import HealthPing
from roles.notifications.models import (
    Delivery,
    Notification,
    NotificationKind,
    NotificationRoute,
    Webhook,
)
from roles.organizations.models import MemberAccount, Organization
from roles.role_changes.models import RoleChange

__all__ = [
    "AccessAdvisorEntry",
    "ApiToken",
    "Account",
    "AccountSummary",
    "AuditEvent",
    "Campaign",
    "CampaignRole",
    "CleanupPlan",
    "CleanupRegion",
    "CleanupStep",
    "DeletionAttempt",
    "DeletionRequest",
    "Delivery",
    "EcsCluster",
    "EcsRegion",
    "HealthPing",
    "ManagedPolicyVersion",
    "MemberAccount",
    "Notification",
    "NotificationKind",
    "NotificationRoute",
    "Organization",
    "Outcome",
    "ProtectedRule",
    "RoleChange",
    "ServiceLinkedRole",
    "ServiceRegion",
    "ServiceResource",
    "SyncRun",
    "Webhook",
]

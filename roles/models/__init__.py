"""rolecall's models, one module per feature."""

from roles.models.accounts import Account
from roles.models.audit import AuditEvent, Outcome
from roles.models.blockers import ServiceRegion, ServiceResource
from roles.models.campaigns import Campaign, CampaignRole
from roles.models.changes import RoleChange
from roles.models.cleanup import CleanupPlan, CleanupRegion, CleanupStep
from roles.models.deletions import DeletionAttempt, DeletionRequest
from roles.models.health import HealthPing
from roles.models.inventory import (
    AccessAdvisorEntry,
    EcsCluster,
    EcsRegion,
    ServiceLinkedRole,
)
from roles.models.notifications import Notification
from roles.models.organizations import MemberAccount, Organization
from roles.models.outbound import Delivery, NotificationKind, NotificationRoute, Webhook
from roles.models.policies import ManagedPolicyVersion
from roles.models.protection import ProtectedRule
from roles.models.summary import AccountSummary
from roles.models.sync import SyncRun
from roles.models.tokens import ApiToken

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

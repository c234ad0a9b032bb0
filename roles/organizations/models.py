"""An AWS Organization rolecall discovers accounts from, and the accounts it lists.

rolecall reads the organization from its management account (or a delegated
administrator) through a read-only role (deploy/aws/organization-role.yaml), and
enrolls the accounts an enrollment rule matches with one pair of member role names
and one external id (deploy/aws/member-roles.yaml). roles/organizations/discovery.py does both.
"""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models

from roles.core.models import ACCOUNT_ID, ROLE_ARN

# IAM role names: 1-64 of letters, digits and +=,.@_- (IAM API Reference, CreateRole).
ROLE_NAME = RegexValidator(r"^[\w+=,.@-]{1,64}$", "A role name is 1-64 letters, digits or +=,.@_-.")


class Enrollment(models.TextChoices):
    NONE = "none", "None: discover and show only"
    ALL = "all", "Every active account"
    OUS = "ous", "Active accounts under the chosen OUs"


class State(models.TextChoices):
    """An account's State in Organizations (ListAccounts), and LEFT: no longer listed."""

    PENDING_ACTIVATION = "PENDING_ACTIVATION", "pending activation"
    ACTIVE = "ACTIVE", "active"
    SUSPENDED = "SUSPENDED", "suspended"
    PENDING_CLOSURE = "PENDING_CLOSURE", "pending closure"
    CLOSED = "CLOSED", "closed"
    LEFT = "LEFT", "left the organization"


class Organization(models.Model):
    name = models.CharField(max_length=100, unique=True)
    management_account_id = models.CharField(
        "management or delegated administrator account",
        max_length=12,
        unique=True,
        validators=[ACCOUNT_ID],
    )
    role_arn = models.CharField(
        "Organizations read role",
        max_length=2048,
        blank=True,
        validators=[ROLE_ARN],
        help_text="Blank: rolecall's own credentials read the organization.",
    )
    external_id = models.CharField(max_length=1224, blank=True)
    member_role_name = models.CharField(
        "member read role name", max_length=64, default="RolecallAudit", validators=[ROLE_NAME]
    )
    member_change_role_name = models.CharField(
        "member change role name",
        max_length=64,
        blank=True,
        default="RolecallChange",
        validators=[ROLE_NAME],
        help_text="Blank: changes use the read role, with no separation or attribution.",
    )
    member_external_id = models.CharField("member external id", max_length=1224, blank=True)
    enroll = models.CharField(
        "enroll", max_length=8, choices=Enrollment.choices, default=Enrollment.NONE
    )
    enroll_ous = models.JSONField(default=list, blank=True)  # OU (or root) ids
    exclude_accounts = models.JSONField(default=list, blank=True)  # account ids
    # From ListRoots: the root ARN names the organization and the partition.
    aws_organization_id = models.CharField(max_length=64, blank=True)
    partition = models.CharField(max_length=16, default="aws")
    discovered = models.DateTimeField(null=True, blank=True)
    discovery_error = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def target(self):
        from roles.aws.session import Target

        return Target(self.management_account_id, self.role_arn, self.external_id)

    def member_arn(self, account_id: str, name: str) -> str:
        return f"arn:{self.partition}:iam::{account_id}:role/{name}" if name else ""


class MemberAccount(models.Model):
    """One account as the organization's last discovery listed it."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="members")
    aws_account_id = models.CharField(max_length=12)
    name = models.CharField(max_length=100, blank=True)
    email = models.CharField(max_length=254, blank=True)
    state = models.CharField(max_length=20, choices=State.choices)
    parent_id = models.CharField(max_length=100, blank=True)
    # The OU ids from the root down to the account's parent, and their names.
    ou_ids = models.JSONField(default=list, blank=True)
    ou_path = models.CharField(max_length=2000, blank=True)
    joined = models.DateTimeField(null=True, blank=True)
    first_seen = models.DateTimeField()
    account = models.OneToOneField(
        "roles.Account",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="membership",
    )

    class Meta:
        ordering = ["ou_path", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "aws_account_id"], name="one_member_per_account"
            )
        ]
        indexes = [
            models.Index(fields=["organization", "ou_path", "name", "id"], name="member_by_path")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.aws_account_id})"

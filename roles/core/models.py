"""The AWS accounts rolecall audits: the one model every feature stands on."""

from __future__ import annotations

from collections.abc import Callable

from django.core.validators import RegexValidator
from django.db import models

ACCOUNT_ID = RegexValidator(r"^\d{12}$", "An AWS account id is 12 digits.")
ROLE_ARN = RegexValidator(
    r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}$",
    "Enter a role ARN such as arn:aws:iam::111111111111:role/RolecallAudit.",
)


class AccountPaused(Exception):
    """Nothing in the account is changed: its organization stopped syncing it. The
    message says why (Account.paused_text)."""


class Account(models.Model):
    """An AWS account rolecall audits. No secret is stored: credentials come
    from the boto3 chain, optionally through the role to assume."""

    aws_account_id = models.CharField(
        "account id", max_length=12, unique=True, validators=[ACCOUNT_ID]
    )
    name = models.CharField(max_length=100, unique=True)
    role_arn = models.CharField(
        "role to assume",
        max_length=2048,
        blank=True,
        validators=[ROLE_ARN],
        help_text="Blank: the default credential chain is used as is.",
    )
    # Assumed for one change at a time, just before it is made, with the requester
    # as source identity (roles/aws/change.py). Blank: changes go through role_arn.
    change_role_arn = models.CharField(
        "role for changes",
        max_length=2048,
        blank=True,
        validators=[ROLE_ARN],
        help_text="Assumed for one approved change at a time, naming the requester. "
        "Blank: changes use the role above, with no separation or attribution.",
    )
    external_id = models.CharField(max_length=1224, blank=True)
    # Regions to scan; empty means every region ec2:DescribeRegions returns.
    regions = models.JSONField(default=list, blank=True)
    production = models.BooleanField(default=False)
    enabled = models.BooleanField(default=True)
    # Enrolled by this organization's rule (roles/organizations/discovery.py): its roles
    # come from it.
    organization = models.ForeignKey(
        "roles.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enrolled",
    )
    # Why the organization stops this account being synced: its AWS state when not
    # ACTIVE (SUSPENDED, PENDING_CLOSURE, CLOSED...), LEFT the organization, or
    # EXCLUDED by the enrollment rule. Blank: nothing stops it. History is kept.
    paused = models.CharField(max_length=20, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.aws_account_id})"

    def target(self):
        """How the sync, evidence re-reads and planning reach the account."""
        from roles.aws.session import Target

        return Target(self.aws_account_id, self.role_arn, self.external_id)

    def audit_target(self) -> tuple[str, str]:
        """(target ARN, AWS account id) its audit events and refusals name."""
        return "", self.aws_account_id

    @property
    def syncable(self) -> bool:
        return self.enabled and not self.paused

    @property
    def paused_text(self) -> str:
        """Why the organization stopped syncing it, in words ("" when it did not)."""
        if not self.paused:
            return ""
        reason = {
            "EXCLUDED": "it is outside its organization's enrollment rule",
            "LEFT": "it has left its organization",
        }.get(self.paused) or (
            f"its organization lists it as {self.paused.lower().replace('_', ' ')}"
        )
        return f"{self.name} is not synced: {reason}. Its history is kept."

    def refuse_changes(self, refused: Callable[[str], Exception] = AccountPaused) -> None:
        """The one check before anything in the account is changed, by every path (a
        request, an approval, a worker about to call AWS): raise `refused` with the reason
        when its organization stopped syncing it (suspended, closed, gone or excluded,
        roles/organizations/discovery.py). What rolecall read of it is out of date, and
        its roles may be no longer rolecall's to change."""
        if self.paused:
            raise refused(self.paused_text)

    @property
    def separates_changes(self) -> bool:
        return bool(self.change_role_arn)

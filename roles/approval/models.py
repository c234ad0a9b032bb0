"""What every approved change shares: who asked, who decided, and the state spine.

A deletion request and a cleanup plan (and every later kind of approved change)
inherit these fields. Each kind keeps its own `state` choices, but every kind has
the three states the approval core (roles/approval/__init__.py) moves between:
awaiting_approval -> queued (approved) | rejected.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from roles.core.querysets import ActiveQuerySet

AWAITING_APPROVAL, QUEUED, REJECTED = "awaiting_approval", "queued", "rejected"


def _person(**options):
    return models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, related_name="+", **options
    )


class ApprovedChange(models.Model):
    # Copied: the change outlives renames and the role's own row changes.
    role_arn = models.CharField(max_length=2048)
    role_name = models.CharField(max_length=512)
    requested_by = _person(null=True)
    requested_by_name = models.CharField(max_length=150)
    # Two-person approval, decided when the change was confirmed (ROLECALL_REQUIRE_APPROVAL).
    approval_required = models.BooleanField(default=False)
    approved_by = _person(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    rejected_by = _person(null=True, blank=True)
    decision_comment = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    finished = models.DateTimeField(null=True, blank=True)

    ACTIVE: tuple = ()
    STATE_FIELD = "state"
    NOUN = ""  # "This <noun> is not waiting for approval."
    SESSION_KIND = ""  # names the change session in AWS: "<kind>-<pk>" (roles/aws/change.py)
    SELF_DECISION = ""  # the refusal shown to a requester who tries to decide
    # How decisions are told ("<headline> approved by Z") and what approvers are asked
    # ("Approval needed: <question>"); {role} and {account} are filled in.
    HEADLINE = ""
    QUESTION = ""

    objects = ActiveQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-created"]

    @property
    def is_active(self) -> bool:
        return self.state in self.ACTIVE

    @property
    def awaits_approval(self) -> bool:
        return self.state == AWAITING_APPROVAL

    def aws_change(self):
        """The change as its change session in AWS names it (roles/aws/change.py):
        the request, who asked, and who approved (when someone did)."""
        from django.contrib.auth import get_user_model

        from roles.aws.change import Change

        names = dict(
            get_user_model()
            ._default_manager.filter(pk__in=[self.approved_by_id, self.change_requester_id()])
            .values_list("pk", "username")
        )
        requester_id = self.change_requester_id()
        requester = names.get(requester_id) or self.requested_by_name
        approver = names.get(self.approved_by_id, "")
        known = requester_id if requester_id in names else None
        return Change(f"{self.SESSION_KIND}-{self.pk}", requester, approver, known)

    def source_identity(self) -> str:
        """The SourceIdentity its change session carries: who asked, as CloudTrail
        records it on every call of the change (roles/aws/change.py, docs/aws.md)."""
        from roles.aws.change import source_identity

        change = self.aws_change()
        return source_identity(change.requester, change.requester_id)

    def change_requester_id(self) -> int | None:
        """Who AWS is told asked for the change (its source identity): the requester,
        unless a kind knows of a later person who set this run going."""
        return self.requested_by_id

    # --- how the approval core (roles/approval/__init__.py) speaks of a change ------------

    def requester_ids(self) -> set[int]:
        """Everyone who asked for the change; none of them may decide it."""
        raise NotImplementedError

    def audit_target(self) -> tuple[str, str]:
        """(target ARN, AWS account id) its audit events name."""
        return self.role_arn, self.account.aws_account_id

    @property
    def headline(self) -> str:
        return self.HEADLINE.format(role=self.role_name, account=self.account.name)

    @property
    def question(self) -> str:
        return self.QUESTION.format(role=self.role_name, account=self.account.name)

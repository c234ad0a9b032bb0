"""The approval core: every approved change (a deletion, a cleanup plan...) goes
through submit() once confirmed and decide() when an approver answers.

Each kind of change declares a small `Kind` (roles/deletion/kind.py,
roles/cleanup/kind.py, roles/campaigns/kind.py) and registers it from its feature's
ready(): its model, its audit prefix (which names its detail page too), the path
its pages live under, the server-side re-check before anything is queued, and how
it is queued. The approve and reject views and URLs (roles/approval/views.py,
urls.py) and the API's decision read the registry; this package imports no
feature. The model says who its requesters are and how it is spoken of
(roles/approval/models.py). The rules themselves live here, once:

- nobody who asked for a change (any of its requesters) may decide it;
- only a change awaiting approval can be decided, under its row lock;
- an approval of evidence other than the current version is refused, with the
  difference (kinds with versioned evidence);
- an approval without the confirmation the kind asks to be typed is refused;
- every decision, refused or not, is one audit event; an accepted one also marks
  the approvers' notifications done and tells the requesters.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from roles.approval.models import AWAITING_APPROVAL, QUEUED, REJECTED
from roles.audit.models import AuditEvent, Outcome
from roles.notifications.models import Notification, NotificationKind
from roles.notifications.notify import APPROVAL_NEEDED, approvers, notify, resolve


class Refused(Exception):
    """The change cannot be made or decided; the message is shown to the user."""


def _no_stale_check(obj, version) -> None:
    return None


def _no_details(obj) -> dict:
    return {}


@dataclass(frozen=True)
class Kind:
    """What the core needs to know about one kind of approved change."""

    model: type  # an ApprovedChange
    prefix: str  # audit actions "<prefix>.approved"...; its page is the URL "<prefix>-detail"
    path: str  # its pages' URL prefix: "<path>/<pk>/approve/"
    task: str  # the task enqueue publishes first (registered, with its queue, by the feature)
    refused: type[Refused]
    recheck: Callable[[object], None]  # before queueing: raises `refused`
    enqueue: Callable[[object], None]  # publish its first tasks once this transaction commits
    # (details, message) when the approver was shown other evidence than the current.
    stale: Callable[[object, int | None], tuple[dict, str] | None] = _no_stale_check
    decision_details: Callable[[object], dict] = _no_details
    related: tuple[str, ...] = ("account", "role")  # read with the locked row
    # What an approver must type to approve (None: nothing to type), e.g. a campaign's
    # "retire 37 roles including acme-prod".
    typed: Callable[[object], str] | None = None

    @property
    def versioned(self) -> bool:
        """An approval binds to the version of the evidence (or draft) the approver read."""
        return self.stale is not _no_stale_check

    @property
    def detail(self) -> str:
        """URL name of the change's page."""
        return f"{self.prefix}-detail"

    @property
    def key(self) -> str:
        """The audit details key holding the change's id: DeletionRequest -> deletion_request."""
        return re.sub(r"(?<!^)(?=[A-Z])", "_", self.model.__name__).lower()

    def link(self, obj) -> str:
        return reverse(self.detail, args=[obj.pk])

    def rows(self, rows=None):
        """Its rows with the related ones its pages and checks read (none when
        `related` is empty: select_related() with no names would follow every key)."""
        rows = self.model.objects.all() if rows is None else rows
        return rows.select_related(*self.related) if self.related else rows

    def locked(self, obj):
        return self.rows(self.model.objects.select_for_update(no_key=True)).get(pk=obj.pk)

    def audit(self, obj, action: str, *, user=None, request=None, outcome=Outcome.SUCCESS, **d):
        target_arn, account_id = obj.audit_target()
        AuditEvent.objects.record(
            f"{self.prefix}.{action}",
            request=request,
            actor=user,
            outcome=outcome,
            target_arn=target_arn,
            account_id=account_id,
            details={self.key: obj.pk, **d},
        )


_KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    """A feature's kind of approved change, from its ready()."""
    _KINDS[kind.prefix] = kind
    return kind


def kinds() -> dict[str, Kind]:
    """Every registered kind, by its prefix ("deletion", "cleanup", "campaign")."""
    return dict(_KINDS)


def may_decide(kind: Kind, obj, user) -> bool:
    return user.pk not in obj.requester_ids()


def queue(kind: Kind, obj) -> None:
    """The change may run: queued now, its first tasks published once this commits."""
    obj.state = QUEUED
    kind.enqueue(obj)


def ask_approvers(kind: Kind, obj, body: str) -> None:
    """Tell the approvers (never a requester) that a change waits for them."""
    excluded = obj.requester_ids()
    notify(
        [u for u in approvers() if u.pk not in excluded],
        f"{APPROVAL_NEEDED}: {obj.question}",
        kind=NotificationKind.APPROVAL_NEEDED,
        level=Notification.Level.WARNING,
        body=body,
        link=kind.link(obj),
    )


def submit(kind: Kind, obj, *, body: str) -> None:
    """A confirmed change, in the transaction that confirmed it: wait for an approver
    when approval is required, else queue it. Sets obj.state; the caller saves it."""
    if obj.approval_required:
        obj.state = AWAITING_APPROVAL
        ask_approvers(kind, obj, body)
    else:
        queue(kind, obj)


def decide(
    kind: Kind,
    obj,
    *,
    user,
    approve: bool,
    comment: str,
    version: int | None = None,
    typed: str = "",
    request=None,
):
    """An approver approves or rejects `obj`; never one of its requesters.

    `version` is the evidence version the approver was shown (versioned kinds):
    an approval of any other version is refused with the difference. `typed` is
    the confirmation the approver typed (kinds that ask for one).
    """
    action = "approved" if approve else "rejected"
    with transaction.atomic():
        obj = kind.locked(obj)
        refusal = None
        if not may_decide(kind, obj, user):
            refusal = ({"reason": "self-approval"}, kind.model.SELF_DECISION)
        elif obj.state != AWAITING_APPROVAL:
            raise kind.refused(f"This {kind.model.NOUN} is not waiting for approval.")
        elif approve and kind.typed is not None and typed.strip() != kind.typed(obj):
            refusal = (
                {"reason": "confirmation not typed"},
                f"Type “{kind.typed(obj)}” to approve.",
            )
        elif approve:
            refusal = kind.stale(obj, version)
        if refusal is None:
            _record(kind, obj, user=user, approve=approve, comment=comment)
            details = {"comment": comment, **kind.decision_details(obj)}
        else:
            details = refusal[0]
        kind.audit(
            obj,
            action,
            user=user,
            request=request,
            outcome=Outcome.DENIED if refusal else Outcome.SUCCESS,
            **details,
        )
    if refusal:
        raise kind.refused(refusal[1])
    return obj


def _record(kind: Kind, obj, *, user, approve: bool, comment: str) -> None:
    if approve:
        kind.recheck(obj)
        obj.approved_by, obj.approved_at = user, timezone.now()
        queue(kind, obj)
    else:
        obj.state, obj.rejected_by, obj.finished = REJECTED, user, timezone.now()
    obj.decision_comment = comment
    obj.save(
        update_fields=[
            "state",
            "approved_by",
            "approved_at",
            "rejected_by",
            "finished",
            "decision_comment",
            "updated",
        ]
    )
    resolve(kind.link(obj))
    verb = "approved" if approve else "rejected"
    notify(
        list(get_user_model().objects.filter(pk__in=obj.requester_ids())),
        f"{obj.headline} {verb} by {user.get_username()}",
        kind=NotificationKind.DELETION_OUTCOME,
        level=Notification.Level.INFO if approve else Notification.Level.WARNING,
        body=comment,
        link=kind.link(obj),
    )

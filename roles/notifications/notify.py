"""Writing notifications: the one place that decides who hears about what."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from roles.access import groups
from roles.notifications import routing
from roles.notifications.models import Notification, NotificationKind


def notify(
    users: Iterable,
    title: str,
    *,
    kind: str,
    level: str = Notification.Level.INFO,
    body: str = "",
    link: str = "",
    secondary_link: str = "",
) -> int:
    """Tell `users` in the app, and by email and webhook where their routes for `kind`
    say so (roles/notifications/routing.py): those are written here, in the caller's
    transaction, and sent only once it commits.

    Kinds: approval requests are APPROVAL_NEEDED; the end of a deletion, a cleanup
    or a direct change, and a decision on any approved change, are DELETION_OUTCOME;
    a failed sync, SYNC_FAILURE; a recreated role, RECREATED_ROLE; a campaign that
    finished or was paused by the sweeper, CAMPAIGN_FINISHED; a user's API token
    revoked by an administrator, API_TOKEN_REVOKED.
    """
    kind = NotificationKind(kind)
    rows = [
        Notification(
            user=user,
            kind=kind,
            level=level,
            title=title[:300],
            body=body,
            link=link,
            secondary_link=secondary_link,
        )
        for user in {u.pk: u for u in users if u is not None}.values()
    ]
    Notification.objects.bulk_create(rows)
    routing.queue(kind, rows)
    return len(rows)


# Title prefix of the notifications that ask an approver to decide (deletions, cleanups).
APPROVAL_NEEDED = "Approval needed"


def resolve(link: str) -> int:
    """Mark the "Approval needed" notifications for `link` done (and read): it was decided.

    Called by decide() in roles/deletion/service.py and roles/cleanup/service.py,
    inside their transaction, so a decision that rolls back leaves them open.
    """
    now = timezone.now()
    return Notification.objects.filter(
        link=link, title__startswith=APPROVAL_NEEDED, done_at__isnull=True
    ).update(done_at=now, read_at=Coalesce("read_at", now))


def people_concerned(change) -> list:
    """Who hears how a change ended (a deletion, a cleanup, a campaign, a direct change),
    whoever ends it (the worker, or the sweeper giving up): everyone who asked for it
    (its requester_ids()) and whoever approved it. One query."""
    ids = set(change.requester_ids())
    if getattr(change, "approved_by_id", None):
        ids.add(change.approved_by_id)
    return list(get_user_model().objects.filter(pk__in=ids).order_by("pk"))


def responders():
    """Who must hear about events nobody asked for (recreated roles, failed scheduled syncs)."""
    return (
        get_user_model()
        .objects.filter(
            Q(is_superuser=True) | Q(groups__name__in=[groups.OPERATOR, groups.APPROVER]),
            is_active=True,
        )
        .distinct()
    )


def approvers():
    return (
        get_user_model()
        .objects.filter(Q(is_superuser=True) | Q(groups__name=groups.APPROVER), is_active=True)
        .distinct()
    )

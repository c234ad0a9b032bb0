"""An "Approval needed" notification is done once the request it points at is decided."""

from __future__ import annotations

import pytest
from django.urls import reverse

from roles.cleanup import plan as planning
from roles.cleanup.plan import CleanupRefused
from roles.cleanup.service import decide as decide_cleanup
from roles.cleanup.service import request_execution
from roles.deletion.service import DeletionRefused, request_deletion
from roles.deletion.service import decide as decide_deletion
from roles.models import Notification, ServiceLinkedRole
from roles.notifications.notify import notify, resolve
from tests.conftest import make_user


@pytest.fixture(autouse=True)
def approval_on(settings):
    settings.ROLECALL_REQUIRE_APPROVAL = True


@pytest.fixture
def prod(sync_demo):
    return sync_demo("acme-prod")["acme-prod"]


@pytest.fixture
def approvers(approver):
    from roles.access import groups

    return [approver, make_user("dave", groups.APPROVER)]


def asks(link: str):
    return Notification.objects.filter(link=link, title__startswith="Approval needed")


def spot(account) -> ServiceLinkedRole:
    return ServiceLinkedRole.objects.get(account=account, name="AWSServiceRoleForEC2Spot")


@pytest.mark.parametrize("approve", [True, False])
def test_deciding_a_deletion_marks_every_approvers_request_done(prod, operator, approvers, approve):
    deletion = request_deletion(spot(prod), user=operator).request
    link = reverse("deletion-detail", args=[deletion.pk])
    assert asks(link).count() == 2 and not asks(link).filter(done_at__isnull=False).exists()
    decide_deletion(
        deletion,
        user=approvers[0],
        approve=approve,
        version=deletion.evidence_version,
        comment="Spot is retired.",
    )
    for note in asks(link):
        assert note.done_at is not None and note.read_at is not None
    # The requester's own "approved/rejected" news stays unread: it is news, not a task.
    outcome = Notification.objects.get(user=operator, link=link)
    assert outcome.read_at is None and outcome.done_at is None


def test_a_refused_decision_leaves_the_requests_open(prod, admin_user, approvers):
    deletion = request_deletion(spot(prod), user=admin_user).request
    link = reverse("deletion-detail", args=[deletion.pk])
    with pytest.raises(DeletionRefused):
        decide_deletion(deletion, user=admin_user, approve=True, comment="mine")
    assert asks(link).count() == 2
    assert not asks(link).filter(done_at__isnull=False).exists()


def test_deciding_a_cleanup_marks_its_approval_requests_done(prod, operator, approvers):
    role = ServiceLinkedRole.objects.get(account=prod, name="AWSServiceRoleForECS")
    plan, _ = planning.build(role, user=operator)
    request_execution(plan, user=operator)
    link = reverse("cleanup-detail", args=[plan.pk])
    assert asks(link).filter(done_at__isnull=True).count() == 2
    with pytest.raises(CleanupRefused):
        decide_cleanup(plan, user=operator, approve=True, comment="mine")
    assert asks(link).filter(done_at__isnull=True).count() == 2
    decide_cleanup(plan, user=approvers[1], approve=False, comment="Not this week.")
    assert asks(link).filter(done_at__isnull=True, read_at__isnull=True).count() == 0


def test_resolve_touches_only_approval_requests_for_that_link(operator, approvers):
    ask, outcome = "approval_needed", "deletion_outcome"
    notify(approvers, "Approval needed: delete X in acme-prod", kind=ask, link="/deletions/1/")
    notify(approvers, "Approval needed: delete Y in acme-prod", kind=ask, link="/deletions/2/")
    notify(approvers, "Deletion of X in acme-prod failed", kind=outcome, link="/deletions/1/")
    already_read = asks("/deletions/1/").first()
    Notification.objects.filter(pk=already_read.pk).update(read_at="2026-01-01T00:00:00Z")
    assert resolve("/deletions/1/") == 2
    assert resolve("/deletions/1/") == 0
    assert asks("/deletions/2/").filter(done_at__isnull=True).count() == 2
    assert Notification.objects.filter(title__startswith="Deletion of", done_at=None).count() == 2
    already_read.refresh_from_db()
    assert already_read.read_at.year == 2026 and already_read.read_at.month == 1


def test_the_list_shows_a_decided_request_as_decided(client, prod, operator, approvers):
    deletion = request_deletion(spot(prod), user=operator).request
    decide_deletion(deletion, user=approvers[0], approve=False, comment="No.")
    client.force_login(approvers[1])
    html = client.get(reverse("notifications")).content.decode()
    assert 'data-testid="done">decided</span>' in html
    assert client.get(reverse("overview")).context["unread_notifications"] == 0

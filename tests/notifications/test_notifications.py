"""/notifications/: one user's list, the unread badge, marking read."""

import pytest
from django.urls import reverse

from roles.models import Notification
from roles.notifications.notify import notify


@pytest.fixture
def notes(operator, viewer):
    notify(
        [operator],
        "Deletion of AWSServiceRoleForECS in acme-prod failed: in use in 3 regions",
        kind="deletion_outcome",
        level="error",
        body="eu-west-1: arn:aws:ecs:eu-west-1:111111111111:cluster/x",
        link="/deletions/1/",
        secondary_link="/roles/1/#blockers",
    )
    notify([operator], "Sync of acme-prod failed", kind="sync_failure", level="error")
    notify([viewer], "Something for carol", kind="recreated_role")
    return Notification.objects.all()


def test_the_list_is_per_user_newest_first(operator_client, notes):
    response = operator_client.get(reverse("notifications"))
    titles = [n.title for n in response.context["notifications"]]
    assert titles == [
        "Sync of acme-prod failed",
        "Deletion of AWSServiceRoleForECS in acme-prod failed: in use in 3 regions",
    ]
    html = response.content.decode()
    assert "View details" in html and "View resources" in html
    assert "Something for carol" not in html


def test_the_badge_counts_unread_on_every_page(operator_client, notes):
    for url in ("overview", "roles", "audit"):
        assert b'data-testid="unread-badge">2<' in operator_client.get(reverse(url)).content
    assert b">2<" in operator_client.get(reverse("notification-badge")).content


def test_mark_one_and_all_read(operator_client, operator, notes):
    mine = Notification.objects.filter(user=operator)
    operator_client.post(reverse("notification-read", args=[mine.first().pk]))
    assert mine.filter(read_at__isnull=True).count() == 1
    operator_client.post(reverse("notifications-read-all"))
    assert not mine.filter(read_at__isnull=True).exists()
    assert b"unread-badge" not in operator_client.get(reverse("overview")).content


def test_someone_elses_notification_is_404(operator_client, notes):
    theirs = Notification.objects.get(title="Something for carol")
    assert operator_client.post(reverse("notification-read", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_untrusted_text_in_notifications_is_escaped(operator_client, operator):
    notify(
        [operator],
        "<script>alert(1)</script>",
        kind="recreated_role",
        body="<img src=x onerror=alert(1)>",
    )
    html = operator_client.get(reverse("notifications")).content.decode()
    assert "<script>alert(1)" not in html and "<img src=x" not in html

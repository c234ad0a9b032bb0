"""/settings/notifications/: each user chooses, for themselves, where each kind goes."""

from __future__ import annotations

from django.urls import reverse

from roles.models import AuditEvent, NotificationRoute
from tests.support.outbound import route, webhook

URL = reverse("notification-settings")


def post(client, *boxes: str):
    return client.post(URL, {"save": "1", **{box: "on" for box in boxes}})


def test_it_shows_every_kind_and_the_enabled_webhooks(viewer_client):
    webhook("https://hooks.example.com/a")
    webhook("https://hooks.example.com/b", name="retired", enabled=False)
    response = viewer_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    for label in ("Deletion outcome", "Approval needed", "Sync failure", "Recreated role"):
        assert label in html
    assert "Campaign finished" in html
    assert "Webhook: ops-chat" in html and "retired" not in html


def test_it_saves_email_and_webhook_choices_and_audits_them(viewer, viewer_client):
    viewer.email = "carol@example.com"
    viewer.save(update_fields=["email"])
    hook = webhook("https://hooks.example.com/a")
    response = post(viewer_client, "sync_failure-email", f"approval_needed-webhook-{hook.pk}")
    assert response.status_code == 302
    routes = {r.kind: r for r in NotificationRoute.objects.filter(user=viewer)}
    assert routes["sync_failure"].email and not routes["approval_needed"].email
    assert list(routes["approval_needed"].webhooks.all()) == [hook]
    event = AuditEvent.objects.get(action="notification.routes_changed")
    assert event.actor == viewer
    assert event.details["changed"] == {
        "sync_failure": {
            "before": {"email": False, "webhooks": []},
            "after": {"email": True, "webhooks": []},
        },
        "approval_needed": {
            "before": {"email": False, "webhooks": []},
            "after": {"email": False, "webhooks": ["ops-chat"]},
        },
    }
    page = viewer_client.get(URL).content.decode()
    box = 'name="sync_failure-email" aria-label="Sync failure by email" id="id_sync_failure-email"'
    assert f"{box} checked" in page


def test_saving_the_same_choices_records_nothing(viewer, viewer_client):
    post(viewer_client)
    assert not AuditEvent.objects.filter(action="notification.routes_changed").exists()


def test_it_refuses_email_without_an_address(viewer_client):
    response = post(viewer_client, "deletion_outcome-email")
    assert response.status_code == 400
    assert b"Your account has no email address" in response.content
    assert not NotificationRoute.objects.exists()


def test_a_choice_of_a_disabled_webhook_is_kept_for_when_it_returns(viewer, viewer_client):
    hook = webhook("https://hooks.example.com/a", enabled=False)
    route(viewer, "deletion_outcome", webhooks=[hook])
    post(viewer_client, "sync_failure-webhook-999")  # an unknown box is ignored
    assert list(NotificationRoute.objects.get(kind="deletion_outcome").webhooks.all()) == [hook]


def test_each_user_changes_only_their_own(viewer, operator, viewer_client):
    operator.email = "alice@example.com"
    operator.save(update_fields=["email"])
    route(operator, "deletion_outcome", email=True)
    post(viewer_client)
    assert NotificationRoute.objects.get(user=operator).email
    assert not NotificationRoute.objects.filter(user=viewer, email=True).exists()


def test_it_refuses_an_outsider(outsider_client):
    assert outsider_client.post(URL, {"save": "1"}).status_code == 403
    assert not NotificationRoute.objects.exists()


def test_it_refuses_a_post_without_csrf(viewer):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(viewer)
    assert client.post(URL, {"save": "1"}).status_code == 403


def test_the_nav_links_to_it(viewer_client):
    assert f'href="{URL}"'.encode() in viewer_client.get(reverse("notifications")).content

"""/webhooks/: administrators add, edit, disable, rotate and delete webhooks and read
each one's delivery log; the secret is shown once."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from roles.access.reauth import REAUTH_AT
from roles.models import AuditEvent, Delivery, Webhook
from tests.support.outbound import webhook

# The SQLite pass of .ci/run runs this module too (docs/testing.md).
pytestmark = pytest.mark.engine


@pytest.fixture(autouse=True)
def demo(settings):
    settings.ROLECALL_DEMO = True  # URLs need no DNS here (test_webhook_addresses.py)


def add(client, name="ops-chat", url="https://hooks.example.com/services/T0/B0/XyZsecret"):
    return client.post(reverse("webhook-add"), {"name": name, "url": url})


def test_adding_shows_the_secret_once_and_audits_without_the_path(admin_client):
    response = add(admin_client)
    assert response.status_code == 200
    hook = Webhook.objects.get()
    assert hook.enabled and hook.secret.startswith("whsec_") and len(hook.secret) > 40
    assert f'data-testid="webhook-secret">{hook.secret}<'.encode() in response.content
    for page in ("webhook-detail", "webhook-edit"):
        assert hook.secret.encode() not in admin_client.get(reverse(page, args=[hook.pk])).content
    assert hook.secret.encode() not in admin_client.get(reverse("webhooks")).content
    event = AuditEvent.objects.get(action="webhook.added")
    assert event.details == {
        "webhook": "ops-chat",
        "host": "https://hooks.example.com",
        "enabled": True,
    }
    assert "XyZsecret" not in str(event.details)


def test_rotating_gives_a_new_secret_shown_once(admin_client):
    hook = webhook("https://hooks.example.com/a")
    response = admin_client.post(reverse("webhook-rotate", args=[hook.pk]))
    old = hook.secret
    hook.refresh_from_db()
    assert hook.secret != old and hook.secret.encode() in response.content
    assert AuditEvent.objects.filter(action="webhook.secret_rotated").count() == 1


def test_editing_disabling_enabling_and_deleting_are_audited(admin_client):
    hook = webhook("https://hooks.example.com/a")
    response = admin_client.post(
        reverse("webhook-edit", args=[hook.pk]),
        {"name": "soar", "url": "https://soar.example.com/in", "enabled": "on"},
    )
    assert response.status_code == 302
    hook.refresh_from_db()
    assert (hook.name, hook.url) == ("soar", "https://soar.example.com/in")
    changed = AuditEvent.objects.get(action="webhook.changed").details
    assert changed["changed"] == ["name", "url"]
    assert changed["after"]["host"] == "https://soar.example.com"
    admin_client.post(reverse("webhook-disable", args=[hook.pk]))
    assert not Webhook.objects.get(pk=hook.pk).enabled
    admin_client.post(reverse("webhook-enable", args=[hook.pk]))
    assert Webhook.objects.get(pk=hook.pk).enabled
    assert admin_client.post(reverse("webhook-delete", args=[hook.pk])).status_code == 302
    assert not Webhook.objects.exists()
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"webhook.disabled", "webhook.enabled", "webhook.deleted"} <= actions


def test_a_test_event_is_queued_for_that_webhook_alone(admin_client):
    hook = webhook("https://hooks.example.com/a")
    webhook("https://hooks.example.com/b", name="other")
    admin_client.post(reverse("webhook-test", args=[hook.pk]))
    row = Delivery.objects.get()
    assert (row.webhook, row.kind, row.state) == (hook, "test", "pending")
    assert AuditEvent.objects.get(action="webhook.tested").details["delivery"] == row.pk


def test_saving_needs_a_fresh_password(admin_client):
    session = admin_client.session
    session[REAUTH_AT] = time.time() - 11 * 60
    session.save()
    response = add(admin_client)
    assert response.status_code == 302 and response["Location"].startswith(reverse("reauth"))
    assert not Webhook.objects.exists()


@pytest.mark.parametrize("persona", ["operator", "approver", "viewer"])
def test_it_refuses_everyone_but_administrators(request, persona):
    client = request.getfixturevalue(f"{persona}_client")
    hook = webhook("https://hooks.example.com/a")
    assert add(client, name="x").status_code == 403
    assert client.post(reverse("webhook-delete", args=[hook.pk])).status_code == 403
    assert client.get(reverse("webhook-detail", args=[hook.pk])).status_code == 403
    assert Webhook.objects.count() == 1
    assert AuditEvent.objects.filter(action="auth.denied").count() == 3


def test_bad_input_is_a_form_error(admin_client):
    assert add(admin_client, url="not a url").status_code == 400
    webhook("https://hooks.example.com/a")
    assert add(admin_client, name="ops-chat").status_code == 400  # the name is taken
    assert Webhook.objects.count() == 1


def test_the_delivery_log_pages_without_a_query_per_row(
    admin_client, django_assert_max_num_queries
):
    hook = webhook("https://hooks.example.com/a")

    def log(n: int) -> None:
        Delivery.objects.bulk_create(
            Delivery(
                channel="webhook",
                webhook=hook,
                kind="deletion_outcome",
                payload={"title": f"<b>event {i}</b>"},
                state="failed",
                attempts=3,
                status_code=503,
                latency_ms=12,
                error="HTTP 503 <down>",
            )
            for i in range(n)
        )

    url = reverse("webhook-detail", args=[hook.pk])
    log(3)
    admin_client.get(url)
    with django_assert_max_num_queries(12) as few:
        admin_client.get(url)
    log(120)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = admin_client.get(url)
    assert len(response.context["page"]) == 50
    html = response.content.decode()
    assert "HTTP 503 &lt;down&gt;" in html and "&lt;b&gt;event" in html
    assert admin_client.get(url, {"page": "3"}).context["page"].number == 3
    assert admin_client.get(url, {"page": "x"}).status_code == 400

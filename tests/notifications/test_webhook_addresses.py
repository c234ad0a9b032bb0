"""Webhook addresses (roles/notifications/address.py): no request to a private network in
production, checked when the URL is saved and again, after DNS, before each send."""

from __future__ import annotations

import ipaddress

import pytest
from django.urls import reverse

from roles.models import AuditEvent, Delivery, Webhook
from roles.notifications import address, delivery
from tests.support.outbound import route, tell, webhook
from tests.support.receivers import http_receiver

REFUSED = [
    "127.0.0.1",
    "10.1.2.3",
    "172.16.0.1",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",
    "224.0.0.1",
    "240.0.0.1",
    "255.255.255.255",
    "::1",
    "::",
    "fe80::1",
    "fc00::1",
    "fec0::1",
    "ff02::1",
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "::ffff:169.254.169.254",
    "2002:7f00:1::",
    "64:ff9b::a00:1",
    "::7f00:1",
    "2001:db8::1",
]
PUBLIC = ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8"]

# URLs refused in production whatever their DNS says (localhost and the numeric
# forms resolve to 127.0.0.1 through the real resolver).
ATTACKS = [
    "https://127.0.0.1/hook",
    "https://10.0.0.5/hook",
    "https://169.254.169.254/latest/meta-data/",
    "https://[::1]/hook",
    "https://[::ffff:127.0.0.1]/hook",
    "https://localhost/hook",
    "https://2130706433/hook",
    "https://0177.0.0.1/hook",
    "https://0x7f000001/hook",
    "http://2130706433/hook",
]


@pytest.fixture
def production(settings):
    settings.DEBUG = False
    settings.ROLECALL_DEMO = False


@pytest.fixture
def dns(monkeypatch):
    """A resolver the test answers for: {name: [addresses]}, and every lookup made."""
    answers: dict[str, list[str]] = {}
    asked: list[str] = []

    def lookup(host: str, port: int) -> list[str]:
        asked.append(host)
        if host in answers:
            return answers[host]
        return real(host, port)

    real = address.lookup
    monkeypatch.setattr(address, "lookup", lookup)
    return answers, asked


@pytest.mark.parametrize("ip", REFUSED)
def test_it_refuses_every_non_public_address(ip):
    assert address.refusal(ipaddress.ip_address(ip)) is not None


@pytest.mark.parametrize("ip", PUBLIC)
def test_it_allows_public_addresses(ip):
    assert address.refusal(ipaddress.ip_address(ip)) is None


@pytest.mark.parametrize("url", ATTACKS)
def test_it_refuses_to_save_a_private_url_in_production(admin_client, production, url):
    response = admin_client.post(reverse("webhook-add"), {"name": "x", "url": url})
    assert response.status_code == 400
    assert not Webhook.objects.exists()
    assert b"Only https://" in response.content or b"only public addresses" in response.content


def test_it_refuses_to_save_an_http_url_in_production(admin_client, production, dns):
    dns[0]["hooks.example.com"] = ["93.184.216.34"]
    response = admin_client.post(
        reverse("webhook-add"), {"name": "x", "url": "http://hooks.example.com/hook"}
    )
    assert response.status_code == 400
    assert b"Only https:// URLs are accepted." in response.content
    assert not Webhook.objects.exists()


def test_it_refuses_a_url_with_credentials(admin_client, production, dns):
    dns[0]["hooks.example.com"] = ["93.184.216.34"]
    url = "https://user:pw@hooks.example.com/hook"
    response = admin_client.post(reverse("webhook-add"), {"name": "x", "url": url})
    assert response.status_code == 400
    assert not Webhook.objects.exists()


def test_it_saves_a_public_https_url_in_production(admin_client, production, dns):
    dns[0]["hooks.example.com"] = ["93.184.216.34", "2606:4700:4700::1111"]
    response = admin_client.post(
        reverse("webhook-add"), {"name": "x", "url": "https://hooks.example.com/hook"}
    )
    assert response.status_code == 200
    assert Webhook.objects.get().url == "https://hooks.example.com/hook"


def test_it_refuses_a_name_with_one_private_address_among_public_ones(production, dns):
    dns[0]["mixed.example.com"] = ["93.184.216.34", "10.0.0.1"]
    with pytest.raises(address.Refused, match="10.0.0.1 is a private address"):
        address.resolve("https://mixed.example.com/")


@pytest.mark.parametrize("url", ATTACKS)
def test_it_refuses_to_send_to_a_private_url_in_production(operator, production, url):
    # Saved in demo mode, say, or edited in the database: checked again before sending.
    hook = webhook(url)
    route(operator, webhooks=[hook])
    (row,) = tell([operator])
    assert delivery.deliver(row.pk) == Delivery.State.REFUSED
    row.refresh_from_db()
    assert row.error.startswith("Refused: ") and row.attempts == 1
    assert row.next_attempt_at is None  # never retried
    event = AuditEvent.objects.get(action="webhook.delivery_refused")
    assert event.details["webhook"] == "ops-chat" and event.outcome == "denied"


def test_it_refuses_a_name_that_resolves_elsewhere_at_send_time(
    admin_client, operator, production, dns
):
    """DNS rebinding: public when saved, loopback when sent. Nothing reaches the receiver."""
    with http_receiver() as receiver:
        url = f"https://rebind.example.com:{receiver.port}/hook"
        dns[0]["rebind.example.com"] = ["93.184.216.34"]
        response = admin_client.post(reverse("webhook-add"), {"name": "rebind", "url": url})
        assert response.status_code == 200
        hook = Webhook.objects.get(name="rebind")
        route(operator, webhooks=[hook])
        (row,) = tell([operator])
        dns[0]["rebind.example.com"] = ["127.0.0.1"]
        assert delivery.deliver(row.pk) == Delivery.State.REFUSED
        assert receiver.connections == 0
    row.refresh_from_db()
    assert "127.0.0.1 is a loopback address" in row.error
    page = admin_client.get(reverse("webhook-detail", args=[hook.pk]))
    assert b"127.0.0.1 is a loopback address" in page.content


def test_it_connects_to_the_address_it_checked_with_the_names_host_header(operator, settings, dns):
    """One lookup per send, and the connection goes to its answer: a second lookup
    (which could answer otherwise) is never made."""
    settings.ROLECALL_DEMO = True
    with http_receiver() as receiver:
        dns[0]["hooks.example.test"] = ["127.0.0.1"]
        hook = webhook(f"http://hooks.example.test:{receiver.port}/hook")
        route(operator, webhooks=[hook])
        (row,) = tell([operator])
        dns[1].clear()
        assert delivery.deliver(row.pk) == Delivery.State.DELIVERED
        (received,) = receiver.requests
    assert dns[1] == ["hooks.example.test"]
    assert received.headers["Host"] == f"hooks.example.test:{receiver.port}"
    assert received.path == "/hook"


def test_demo_mode_allows_a_local_http_receiver(admin_client, settings):
    settings.ROLECALL_DEMO = True
    response = admin_client.post(
        reverse("webhook-add"), {"name": "local", "url": "http://127.0.0.1:9/hook"}
    )
    assert response.status_code == 200
    assert Webhook.objects.filter(name="local").exists()

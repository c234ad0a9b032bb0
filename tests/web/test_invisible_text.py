"""Bidirectional and invisible Unicode in AWS-sourced names is shown, not obeyed."""

import csv
import io

import pytest
from django.urls import reverse

from roles.aws.session import AccountSession
from roles.models import EcsCluster, Notification, ServiceLinkedRole
from roles.notifications.notify import notify
from roles.web.templatetags import visible, visible_lines

# U+202E, right-to-left override: everything after it is displayed reversed.
RLO = "\u202e"
HOSTILE = [chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))]
HOSTILE += [chr(c) for c in range(0x200B, 0x2010)] + ["\ufeff"]


@pytest.mark.parametrize("char", HOSTILE)
def test_every_bidi_and_invisible_control_is_shown_as_an_escape(char):
    shown = visible(f"a{char}b")
    assert shown == f"a\\u{ord(char):04x}b"
    assert char not in visible_lines(f"a{char}\nb")


def test_control_characters_are_still_shown_and_plain_text_is_untouched():
    assert visible("a\x1b[31m\r\nb") == "a\\x1b[31m\\x0d\\x0ab"
    assert visible_lines("line one\nline\x00two") == "line one\nline\\x00two"
    assert visible("Ünïcödé roles-and_names.1") == "Ünïcödé roles-and_names.1"


@pytest.fixture
def hostile(demo_accounts, sync_demo, operator):
    """A cluster and a service created through the emulator with hidden characters,
    synced as rolecall does it; then a role name, description and tag as a hostile
    account could shape them (IAM validates these; rolecall must not rely on it)."""
    account = demo_accounts["acme-prod"]
    session = AccountSession(account.target())
    ecs = session.client("ecs", "us-east-1")
    cluster = f"payments{RLO}dlo-\u200b"
    ecs.create_cluster(clusterName=cluster)
    ecs.create_service(cluster=cluster, serviceName="api\u2066x\u2069", desiredCount=0)
    sync_demo("acme-prod", regions=["us-east-1"])
    role = ServiceLinkedRole.objects.get(account=account, name="AWSServiceRoleForECS")
    ServiceLinkedRole.objects.filter(pk=role.pk).update(
        description=f"Used by {RLO}noitcudorp",
        name=f"AWSServiceRoleForECS{RLO}",
        tags={f"owner{RLO}": "\ufeffteam"},
    )
    role.refresh_from_db()
    notify(
        [operator],
        f"{role.name}\u200f was recreated",
        kind="recreated_role",
        body=f"Cluster {cluster}\nagain",
    )
    return role


def _no_raw_hidden(text: str) -> None:
    found = sorted({f"U+{ord(c):04X}" for c in text if c in HOSTILE})
    assert found == []


def test_role_page_shows_hidden_characters_in_names_tags_clusters_and_services(
    viewer_client, hostile
):
    cluster = EcsCluster.objects.get(name__contains=RLO)
    html = viewer_client.get(reverse("role-detail", args=[hostile.pk])).content.decode()
    _no_raw_hidden(html)
    assert "payments\\u202edlo-\\u200b" in html  # the cluster
    # Its services, read from AWS when opened (roles/inventory/views/resources.py).
    listed = viewer_client.get(reverse("cluster-services", args=[cluster.pk])).content.decode()
    _no_raw_hidden(listed)
    assert "api\\u2066x\\u2069" in listed
    assert "owner\\u202e=\\ufeffteam" in html  # the role's tag
    assert "Used by \\u202enoitcudorp" in html  # the description
    assert "<title>AWSServiceRoleForECS\\u202e" in html


def test_roles_list_and_csv_export_show_them_too(viewer_client, hostile):
    html = viewer_client.get(reverse("roles")).content.decode()
    _no_raw_hidden(html)
    assert "AWSServiceRoleForECS\\u202e" in html
    body = b"".join(viewer_client.get(reverse("role-export", args=["csv"])).streaming_content)
    text = body.decode()
    _no_raw_hidden(text)
    rows = {r["arn"]: r for r in csv.DictReader(io.StringIO(text))}
    assert rows[hostile.arn]["name"] == "AWSServiceRoleForECS\\u202e"


def test_notifications_show_them_and_keep_line_breaks(operator_client, operator, hostile):
    assert Notification.objects.filter(user=operator, body__contains=RLO).exists()
    html = operator_client.get(reverse("notifications")).content.decode()
    _no_raw_hidden(html)
    assert "AWSServiceRoleForECS\\u202e\\u200f was recreated" in html
    assert "Cluster payments\\u202edlo-\\u200b\nagain" in html

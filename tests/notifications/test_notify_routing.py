"""notify() and its kinds: who gets an email, which webhooks hear of it, and when
the deliveries are sent (roles/notifications/notify.py, roles/notifications/routing.py)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.db import transaction

from roles import jobs
from roles.models import Delivery, Notification, NotificationKind
from roles.notifications.notify import notify
from roles.notifications.routing import EMAIL_TASK, WEBHOOK_TASK
from tests.conftest import make_user
from tests.support.outbound import route, tell, webhook

# The SQLite pass of .ci/run runs this module too (docs/testing.md).
pytestmark = pytest.mark.engine

ROOT = Path(__file__).resolve().parents[2]
# Every caller of notify() and the kinds it sends (the classification notify()'s
# docstring and docs/notifications.md describe).
CALLERS = {
    "roles/approval/__init__.py": ["APPROVAL_NEEDED", "DELETION_OUTCOME"],
    "roles/campaigns/operation.py": ["CAMPAIGN_FINISHED"],
    "roles/campaigns/run.py": ["CAMPAIGN_FINISHED"],
    "roles/role_changes/worker.py": ["DELETION_OUTCOME"],
    "roles/cleanup/finish.py": ["DELETION_OUTCOME"],
    "roles/deletion/outcomes.py": ["DELETION_OUTCOME", "DELETION_OUTCOME"],
    "roles/inventory/sync/service.py": ["RECREATED_ROLE", "SYNC_FAILURE"],
    "roles/api/token_pages.py": ["API_TOKEN_REVOKED"],
}


def kinds_sent() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in sorted(ROOT.joinpath("roles").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "notify":
                kind = next((k.value for k in node.keywords if k.arg == "kind"), None)
                name = kind.attr if isinstance(kind, ast.Attribute) else ast.dump(kind or node)
                found.setdefault(str(path.relative_to(ROOT)), []).append(name)
    return {key: sorted(value) for key, value in found.items()}


def test_every_caller_names_the_kind_it_sends():
    assert kinds_sent() == CALLERS


def test_it_refuses_a_notification_without_a_known_kind(operator):
    with pytest.raises(TypeError):
        notify([operator], "No kind")
    with pytest.raises(ValueError):
        notify([operator], "Bad kind", kind="gossip")


def test_without_routes_only_the_in_app_list_hears(operator):
    assert tell([operator]) == []
    assert Notification.objects.get(user=operator).kind == "deletion_outcome"


def test_a_webhook_hears_an_event_once_however_many_route_it(operator, approver, viewer):
    hook = webhook("https://hooks.example.com/a")
    other = webhook("https://hooks.example.com/b", name="soar")
    route(operator, webhooks=[hook])
    route(approver, webhooks=[hook, other])
    rows = tell([operator, approver, viewer])
    assert sorted((r.channel, r.webhook.name) for r in rows) == [
        ("webhook", "ops-chat"),
        ("webhook", "soar"),
    ]
    assert len({r.event_id for r in rows}) == 1
    assert rows[0].payload["title"] == "Deletion of R in acme-prod succeeded"


def test_email_goes_to_those_who_chose_it_and_have_an_address(operator, approver, viewer):
    operator.email, approver.email = "alice@example.com", ""
    route(operator, email=True)
    route(approver, email=True)
    route(viewer, email=False)
    rows = tell([operator, approver, viewer])
    assert [(r.channel, r.user) for r in rows] == [("email", operator)]


def test_routes_are_per_kind(operator):
    operator.email = "alice@example.com"
    hook = webhook("https://hooks.example.com/a")
    route(operator, "sync_failure", email=True, webhooks=[hook])
    assert tell([operator], "deletion_outcome") == []
    assert len(tell([operator], "sync_failure")) == 2


def test_a_disabled_webhook_hears_nothing(operator):
    hook = webhook("https://hooks.example.com/a", enabled=False)
    route(operator, webhooks=[hook])
    assert tell([operator]) == []


def test_an_inactive_users_email_is_not_sent(operator):
    operator.email, operator.is_active = "alice@example.com", False
    route(operator, email=True)
    assert tell([operator]) == []


def test_routes_for_many_recipients_take_a_fixed_number_of_queries(
    operator, django_assert_num_queries
):
    hooks = [webhook(f"https://hooks.example.com/{n}", name=f"h{n}") for n in range(3)]

    def people(n: int) -> list:
        users = [make_user(f"u{n}-{i}", "viewer") for i in range(n)]
        for user in users:
            user.email = f"{user.username}@example.com"
            user.save(update_fields=["email"])
            route(user, email=True, webhooks=hooks)
        return users

    few, many = people(2), people(20)
    # The notifications, the routes, their webhooks, the deliveries.
    with django_assert_num_queries(4):
        notify(few, "t", kind=NotificationKind.DELETION_OUTCOME)
    with django_assert_num_queries(4):
        notify(many, "t", kind=NotificationKind.DELETION_OUTCOME)
    assert Delivery.objects.filter(channel="email").count() == 22
    assert Delivery.objects.filter(channel="webhook").count() == 6


def test_deliveries_are_published_only_once_the_transaction_commits(
    operator, django_capture_on_commit_callbacks, monkeypatch
):
    operator.email = "alice@example.com"
    route(operator, email=True, webhooks=[webhook("https://hooks.example.com/a")])
    sent = []
    monkeypatch.setattr(jobs, "publish", lambda name, *args, **kw: sent.append((name, args)))

    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                tell([operator])
                raise RuntimeError("the change rolled back")
    assert sent == [] and not Delivery.objects.exists()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        rows = tell([operator])
        assert sent == []
    for callback in callbacks:
        callback()
    assert sorted(sent) == sorted([(EMAIL_TASK, (rows[0].pk,)), (WEBHOOK_TASK, (rows[1].pk,))])

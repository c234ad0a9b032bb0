"""A page waiting for a decision: its form is never replaced, and it still learns the outcome.

While a change awaits approval its page is not polled (a comment being typed
would be wiped); a hidden watcher asks for the state every 2 s and the page
reloads once the state has moved on (roles/approval/views.py watched).
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from roles import approval
from roles.cleanup import plan as planning
from roles.cleanup.kind import CLEANUP
from roles.cleanup.service import request_execution
from roles.deletion.kind import DELETION
from roles.deletion.service import request_deletion
from roles.models import ServiceLinkedRole

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def approval_on(settings):
    settings.ROLECALL_REQUIRE_APPROVAL = True


@pytest.fixture
def role(sync_demo) -> ServiceLinkedRole:
    account = sync_demo("acme-prod")["acme-prod"]
    return ServiceLinkedRole.objects.get(account=account, name="AWSServiceRoleForECS")


def deletion_waiting(role, operator):
    deletion = request_deletion(role, user=operator).request
    assert deletion.state == "awaiting_approval"
    return deletion, reverse("deletion-detail", args=[deletion.pk])


def plan_waiting(role, operator):
    plan, created = planning.build(role, user=operator)
    assert created
    plan = request_execution(plan, user=operator)
    assert plan.state == "awaiting_approval"
    return plan, reverse("cleanup-detail", args=[plan.pk])


@pytest.mark.parametrize(
    ("make", "kind", "block"),
    [(deletion_waiting, DELETION, 'id="deletion"'), (plan_waiting, CLEANUP, 'id="cleanup"')],
    ids=["deletion", "cleanup"],
)
def test_the_waiting_page_is_watched_not_polled_and_reloads_once_decided(
    role, operator, approver, approver_client, make, kind, block
):
    change, url = make(role, operator)
    bob = approver_client
    html = bob.get(url).content.decode()
    # The block holding the approval form is not replaced on a timer...
    start = html.index(block)
    assert "hx-trigger" not in html[start : html.index(">", start)]
    assert 'data-testid="approve"' in html
    # ...a watcher asks whether the state moved on.
    assert f'hx-get="{url}?watch=awaiting_approval" hx-trigger="every 2s" hx-swap="none"' in html

    unchanged = bob.get(url, {"watch": "awaiting_approval"}, **HTMX)
    assert (unchanged.status_code, unchanged.content, unchanged.get("HX-Refresh")) == (
        204,
        b"",
        None,
    )

    version = getattr(change, "evidence_version", None)  # deletions bind the evidence shown
    approval.decide(kind, change, user=approver, approve=True, comment="Checked.", version=version)
    change.refresh_from_db()
    assert change.state == "queued"
    moved = bob.get(url, {"watch": "awaiting_approval"}, **HTMX)
    assert (moved.status_code, moved["HX-Refresh"]) == (200, "true")

    # The page itself, and any request that is not the watcher's, renders as before.
    full = bob.get(url, {"watch": "awaiting_approval"})
    assert full.status_code == 200 and b"<h1>" in full.content
    fragment = bob.get(url, **HTMX)
    assert fragment.status_code == 200 and block.encode() in fragment.content
    assert b'data-testid="watch"' not in fragment.content

"""/deletions/: deletion requests and cleanup plans, one filter, rows that are links."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from roles.cleanup import plan as planning
from roles.cleanup.service import request_execution
from roles.models import CleanupPlan, DeletionRequest, ServiceLinkedRole

# The SQLite pass of .ci/run runs this module too (docs/testing.md).
pytestmark = pytest.mark.engine


def ecs(account) -> ServiceLinkedRole:
    return ServiceLinkedRole.objects.get(account=account, name="AWSServiceRoleForECS")


@pytest.fixture
def waiting(synced, operator, settings):
    """alice's cleanup of prod's ECS role, waiting for an approver."""
    settings.ROLECALL_REQUIRE_APPROVAL = True
    plan, _ = planning.build(ecs(synced["acme-prod"]), user=operator)
    return request_execution(plan, user=operator)


def add_rows(n: int, user) -> None:
    """n finished deletions and cleanup plans spread over every synced role."""
    roles = list(ServiceLinkedRole.objects.select_related("account")[:n])
    assert len(roles) == n
    for role in roles:
        common = {
            "role": role,
            "account": role.account,
            "role_arn": role.arn,
            "role_name": role.name,
            "requested_by": user,
            "requested_by_name": user.username,
        }
        DeletionRequest.objects.create(state=DeletionRequest.State.FAILED, **common)
        CleanupPlan.objects.create(state=CleanupPlan.State.SUCCEEDED, **common)


def test_cleanup_plans_are_listed_with_state_role_account_requester_and_date(
    approver_client, waiting
):
    html = approver_client.get(reverse("deletions")).content.decode()
    table = html.split('data-testid="cleanups-table"')[1].split("</table>")[0]
    row = table.split('data-testid="cleanup-row"')[1].split("</tr>")[0]
    assert 'data-state="awaiting_approval"' in row
    assert f'href="/cleanups/{waiting.pk}/"' in row
    for text in ("AWSServiceRoleForECS", "acme-prod", "alice", "Awaiting Approval"):
        assert text in row
    assert f"{waiting.created:%Y-%m-%d}" in row


def test_the_state_and_account_filters_apply_to_the_plans(viewer_client, waiting, synced):
    deletions = reverse("deletions")

    def plan_rows(**query) -> int:
        response = viewer_client.get(deletions, query)
        assert response.status_code == 200
        return response.content.decode().count('data-testid="cleanup-row"')

    assert plan_rows(state="awaiting_approval") == 1
    assert plan_rows(state="awaiting_approval", account=synced["acme-prod"].pk) == 1
    assert plan_rows(account=synced["acme-staging"].pk) == 0
    assert plan_rows(state="rejected") == 0
    # A state only deletions have matches no plan, rather than being ignored.
    assert plan_rows(state="submitted") == 0
    assert viewer_client.get(deletions, {"state": "nonsense"}).status_code == 400


def test_every_row_is_one_link_to_its_page(viewer_client, operator, synced):
    add_rows(3, operator)
    html = viewer_client.get(reverse("deletions")).content.decode()
    for testid, model, prefix in [
        ("deletion-row", DeletionRequest, "/deletions/"),
        ("cleanup-row", CleanupPlan, "/cleanups/"),
    ]:
        rows = html.split(f'data-testid="{testid}"')[1:]
        assert len(rows) == 3
        for row, obj in zip(rows, model.objects.order_by("-created", "-pk"), strict=True):
            row = row.split("</tr>")[0]
            assert row.count("<a ") == 1
            assert f'<a class="rowlink" href="{prefix}{obj.pk}/"' in row


def test_the_page_makes_the_same_queries_for_one_row_or_many(viewer_client, operator, synced):
    viewer_client.get(reverse("overview"))  # the first request after sign-in also saves the session

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert viewer_client.get(reverse("deletions")).status_code == 200
        return len(ctx.captured_queries)

    add_rows(1, operator)
    one = queries()
    add_rows(12, operator)
    assert DeletionRequest.objects.count() == CleanupPlan.objects.count() == 13
    assert queries() == one


def test_the_role_page_links_a_plan_waiting_for_approval(approver_client, viewer_client, waiting):
    for client in (approver_client, viewer_client):
        html = client.get(reverse("role-detail", args=[waiting.role_id])).content.decode()
        assert f'<a href="/cleanups/{waiting.pk}/" data-testid="waiting-cleanup">' in html
        assert "is waiting for approval (requested by alice)" in html


def test_the_role_page_has_no_waiting_link_for_a_dry_run(approver_client, synced, operator):
    plan, _ = planning.build(ecs(synced["acme-prod"]), user=operator)
    html = approver_client.get(reverse("role-detail", args=[plan.role_id])).content.decode()
    assert 'data-testid="waiting' not in html

"""A deletion AWS refused because ECS resources use the role points to Plan cleanup."""

from __future__ import annotations

import pytest
from django.urls import reverse

from roles.deletion.service import request_deletion
from roles.models import CleanupPlan, DeletionRequest, ServiceLinkedRole
from tests.support.drive import drive_deletion


@pytest.fixture
def synced(settings, synced):
    """A request goes to AWS at once, with no approver to wait for."""
    settings.ROLECALL_REQUIRE_APPROVAL = False
    return synced


def ecs(account) -> ServiceLinkedRole:
    return ServiceLinkedRole.objects.get(account=account, name="AWSServiceRoleForECS")


@pytest.fixture
def failed(synced, operator) -> DeletionRequest:
    deletion = drive_deletion(request_deletion(ecs(synced["acme-prod"]), user=operator).request)
    assert deletion.state == DeletionRequest.State.FAILED
    assert deletion.attempts.get().role_usage_list
    return deletion


def offer(html: str) -> str:
    assert 'data-testid="cleanup-offer"' in html
    return html.split('data-testid="cleanup-offer"')[1].split("</section>")[0]


def test_a_failed_ecs_deletion_offers_plan_cleanup_to_an_operator(operator_client, failed):
    html = operator_client.get(reverse("deletion-detail", args=[failed.pk])).content.decode()
    card = offer(html)
    assert "ECS resources in 3 regions still use the role" in card
    assert f'action="/roles/{failed.role_id}/cleanup/"' in card and "Plan cleanup" in card
    assert 'name="csrfmiddlewaretoken"' in card
    response = operator_client.post(reverse("role-cleanup", args=[failed.role_id]))
    plan = CleanupPlan.objects.get(role=failed.role)
    assert response["Location"] == f"/cleanups/{plan.pk}/"
    # Once a plan exists the deletion links to it instead of offering a second one.
    card = offer(operator_client.get(reverse("deletion-detail", args=[failed.pk])).content.decode())
    assert f'href="/cleanups/{plan.pk}/"' in card and "Plan cleanup</button>" not in card


def test_a_viewer_is_told_without_a_button(viewer_client, failed):
    card = offer(viewer_client.get(reverse("deletion-detail", args=[failed.pk])).content.decode())
    assert "<form" not in card and "An operator can plan the cleanup" in card


def test_no_offer_when_the_deletion_succeeded(operator_client, operator, synced):
    deletion = drive_deletion(request_deletion(ecs(synced["acme-staging"]), user=operator).request)
    assert deletion.state == DeletionRequest.State.SUCCEEDED
    html = operator_client.get(reverse("deletion-detail", args=[deletion.pk])).content.decode()
    assert 'data-testid="cleanup-offer"' not in html


def test_no_offer_for_a_role_of_another_service(operator_client, operator, synced, settings):
    settings.ROLECALL_REQUIRE_APPROVAL = True
    role = ServiceLinkedRole.objects.get(
        account=synced["acme-prod"], name="AWSServiceRoleForEC2Spot"
    )
    deletion = request_deletion(role, user=operator).request
    DeletionRequest.objects.filter(pk=deletion.pk).update(state="failed")
    deletion.attempts.update(
        status="FAILED", role_usage_list=[{"Region": "us-east-1", "Resources": ["arn:x"]}]
    )
    html = operator_client.get(reverse("deletion-detail", args=[deletion.pk])).content.decode()
    assert 'data-testid="cleanup-offer"' not in html

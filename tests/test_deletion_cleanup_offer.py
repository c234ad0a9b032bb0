"""A deletion AWS refused because ECS resources use the role points to Plan cleanup."""

from __future__ import annotations

import pytest
from django.urls import reverse

from roles.deletion.service import request_deletion
from roles.models import CleanupPlan, DeletionRequest, ServiceLinkedRole
from roles.sync.service import run_sync, start_sync
from tests.deletion_helpers import drive

REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2"]


@pytest.fixture
def synced(emulator, demo_accounts, settings):
    settings.ROLECALL_REQUIRE_APPROVAL = False
    for account in demo_accounts.values():
        account.regions = REGIONS
        account.save(update_fields=["regions"])
        run_sync(start_sync(account).pk)
    return demo_accounts


def ecs(account) -> ServiceLinkedRole:
    return ServiceLinkedRole.objects.get(account=account, name="AWSServiceRoleForECS")


@pytest.fixture
def failed(synced, operator) -> DeletionRequest:
    deletion = drive(request_deletion(ecs(synced["acme-prod"]), user=operator).request)
    assert deletion.state == DeletionRequest.State.FAILED
    assert deletion.attempts.get().role_usage_list
    return deletion


def offer(html: str) -> str:
    assert 'data-testid="cleanup-offer"' in html
    return html.split('data-testid="cleanup-offer"')[1].split("</section>")[0]


def test_a_failed_ecs_deletion_offers_plan_cleanup_to_an_operator(client, operator, failed):
    client.force_login(operator)
    html = client.get(reverse("deletion-detail", args=[failed.pk])).content.decode()
    card = offer(html)
    assert "ECS resources in 3 regions still use the role" in card
    assert f'action="/roles/{failed.role_id}/cleanup/"' in card and "Plan cleanup" in card
    assert 'name="csrfmiddlewaretoken"' in card
    response = client.post(reverse("role-cleanup", args=[failed.role_id]))
    plan = CleanupPlan.objects.get(role=failed.role)
    assert response["Location"] == f"/cleanups/{plan.pk}/"
    # Once a plan exists the deletion links to it instead of offering a second one.
    card = offer(client.get(reverse("deletion-detail", args=[failed.pk])).content.decode())
    assert f'href="/cleanups/{plan.pk}/"' in card and "Plan cleanup</button>" not in card


def test_a_viewer_is_told_without_a_button(client, viewer, failed):
    client.force_login(viewer)
    card = offer(client.get(reverse("deletion-detail", args=[failed.pk])).content.decode())
    assert "<form" not in card and "An operator can plan the cleanup" in card


def test_no_offer_when_the_deletion_succeeded(client, operator, synced):
    deletion = drive(request_deletion(ecs(synced["acme-staging"]), user=operator).request)
    assert deletion.state == DeletionRequest.State.SUCCEEDED
    client.force_login(operator)
    html = client.get(reverse("deletion-detail", args=[deletion.pk])).content.decode()
    assert 'data-testid="cleanup-offer"' not in html


def test_no_offer_for_a_role_of_another_service(client, operator, synced, settings):
    settings.ROLECALL_REQUIRE_APPROVAL = True
    role = ServiceLinkedRole.objects.get(
        account=synced["acme-prod"], name="AWSServiceRoleForEC2Spot"
    )
    deletion = request_deletion(role, user=operator).request
    DeletionRequest.objects.filter(pk=deletion.pk).update(state="failed")
    deletion.attempts.update(
        status="FAILED", role_usage_list=[{"Region": "us-east-1", "Resources": ["arn:x"]}]
    )
    client.force_login(operator)
    html = client.get(reverse("deletion-detail", args=[deletion.pk])).content.decode()
    assert 'data-testid="cleanup-offer"' not in html

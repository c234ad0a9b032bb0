"""What a role's page and its delete confirmation claim about readiness, service by service."""

from __future__ import annotations

import pytest
from django.urls import reverse

from roles.models import ServiceLinkedRole
from roles.sync.service import run_sync, start_sync

REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2"]
NOT_CHECKED = (
    "Not checked: rolecall does not check this service&#x27;s resources. If the role is still "
    "in use, AWS will refuse the deletion and report the resources that block it."
)


@pytest.fixture
def prod(emulator, demo_accounts):
    account = demo_accounts["acme-prod"]
    account.regions = REGIONS
    account.save(update_fields=["regions"])
    run_sync(start_sync(account).pk)
    return account


def spot(account) -> ServiceLinkedRole:
    """Demo: not used for more than 400 days (no RoleLastUsed), not an ECS role."""
    return ServiceLinkedRole.objects.get(account=account, name="AWSServiceRoleForEC2Spot")


def test_a_non_ecs_role_page_says_rolecall_does_not_check_and_shows_the_evidence(
    client, viewer, prod
):
    client.force_login(viewer)
    role = spot(prod)
    assert role.last_used_at is None and not role.checks_ecs
    html = client.get(reverse("role-detail", args=[role.pk])).content.decode()
    assert NOT_CHECKED in html
    assert "can be deleted" not in html.lower()
    evidence = html.split('data-testid="evidence"')[1].split("</ul>")[0]
    assert "Last used:</strong> Not accessed in the tracking period" in evidence
    assert "Access Advisor:</strong>" in evidence
    # No ECS blockers section for a service rolecall does not inventory.
    assert 'data-testid="blockers"' not in html


def test_the_evidence_names_the_most_recent_access_advisor_service(client, viewer, prod):
    client.force_login(viewer)
    role = ServiceLinkedRole.objects.filter(account=prod, advisor__last_authenticated__isnull=False)
    role = role.exclude(service_principal="ecs.amazonaws.com").distinct().first()
    assert role is not None
    accessed = role.advisor.filter(last_authenticated__isnull=False)
    newest, used = accessed.order_by("-last_authenticated")[0], accessed.count()
    html = client.get(reverse("role-detail", args=[role.pk])).content.decode()
    evidence = html.split('data-testid="evidence"')[1].split("</ul>")[0]
    assert (
        f"{used} service{'s' if used != 1 else ''} used it, most recently {newest.namespace} "
        f"on {newest.last_authenticated:%Y-%m-%d}" in evidence
    )


def test_the_ecs_role_keeps_its_verdict_and_shows_no_not_checked_text(client, viewer, prod):
    client.force_login(viewer)
    role = ServiceLinkedRole.objects.get(account=prod, name="AWSServiceRoleForECS")
    html = client.get(reverse("role-detail", args=[role.pk])).content.decode()
    assert "Blocked in 3 regions." in html
    assert "Not checked" not in html and 'data-testid="evidence"' not in html


def test_the_delete_confirmation_of_a_non_ecs_role_makes_no_promise(client, operator, prod):
    client.force_login(operator)
    html = client.get(reverse("role-delete", args=[spot(prod).pk])).content.decode()
    assert NOT_CHECKED in html
    assert "can be deleted" not in html.lower()
    assert "AWS will refuse the deletion and the request page will list the resources" in html
    assert "Not accessed in the tracking period" in html


def test_the_roles_list_marks_other_services_as_not_checked(client, viewer, prod):
    client.force_login(viewer)
    html = client.get(reverse("roles"), {"q": "AWSServiceRoleForEC2Spot"}).content.decode()
    assert "title=\"rolecall does not check this service's resources" in html

"""What a role's page and its delete confirmation claim about readiness, service by service."""

from __future__ import annotations

import pytest
from django.urls import reverse

from roles.models import ServiceLinkedRole

NOT_CHECKED = (
    "Not checked: AWS will check when you delete. rolecall does not read this service&#x27;s "
    "resources, so nothing here says the role is unused or safe to delete; if it is still in "
    "use, AWS will refuse the deletion and report what blocks it."
)


@pytest.fixture
def prod(sync_demo):
    return sync_demo("acme-prod")["acme-prod"]


def spot(account) -> ServiceLinkedRole:
    """Demo: not used for more than 400 days (no RoleLastUsed), not an ECS role."""
    return ServiceLinkedRole.objects.get(account=account, name="AWSServiceRoleForEC2Spot")


def test_a_non_ecs_role_page_says_rolecall_does_not_check_and_shows_the_evidence(
    viewer_client, prod
):
    role = spot(prod)
    assert role.last_used_at is None and not role.checks_ecs
    html = viewer_client.get(reverse("role-detail", args=[role.pk])).content.decode()
    assert NOT_CHECKED in html
    assert "can be deleted" not in html.lower()
    evidence = html.split('data-testid="evidence"')[1].split("</ul>")[0]
    assert "Last used:</strong> Not accessed in the tracking period" in evidence
    assert "Access Advisor:</strong>" in evidence
    # No blockers section for a service rolecall does not read.
    assert 'data-testid="blockers"' not in html


def test_the_evidence_names_the_most_recent_access_advisor_service(viewer_client, prod):
    role = ServiceLinkedRole.objects.filter(account=prod, advisor__last_authenticated__isnull=False)
    role = role.exclude(service_principal="ecs.amazonaws.com").distinct().first()
    assert role is not None
    accessed = role.advisor.filter(last_authenticated__isnull=False)
    newest, used = accessed.order_by("-last_authenticated")[0], accessed.count()
    html = viewer_client.get(reverse("role-detail", args=[role.pk])).content.decode()
    evidence = html.split('data-testid="evidence"')[1].split("</ul>")[0]
    assert (
        f"{used} service{'s' if used != 1 else ''} used it, most recently {newest.namespace} "
        f"on {newest.last_authenticated:%Y-%m-%d}" in evidence
    )


def test_the_ecs_role_keeps_its_verdict_and_shows_no_not_checked_text(viewer_client, prod):
    role = ServiceLinkedRole.objects.get(account=prod, name="AWSServiceRoleForECS")
    html = viewer_client.get(reverse("role-detail", args=[role.pk])).content.decode()
    assert "Blocked in 3 regions." in html
    assert "Not checked" not in html
    # The last use and Access Advisor stand beside every verdict.
    assert "Last used:</strong>" in html.split('data-testid="evidence"')[1]


def test_the_delete_confirmation_of_a_non_ecs_role_makes_no_promise(operator_client, prod):
    html = operator_client.get(reverse("role-delete", args=[spot(prod).pk])).content.decode()
    assert NOT_CHECKED in html
    assert "can be deleted" not in html.lower()
    assert "AWS will refuse the deletion and the request page will list the resources" in html
    assert "Not accessed in the tracking period" in html


def test_the_roles_list_marks_other_services_as_not_checked(viewer_client, prod):
    html = viewer_client.get(reverse("roles"), {"q": "AWSServiceRoleForEC2Spot"}).content.decode()
    cell = html.split('data-testid="verdict"')[1].split("</td>")[0]
    assert "rolecall cannot tell from its reads whether anything blocks this role" in cell
    assert ">not checked</span>" in cell


def support(account) -> ServiceLinkedRole:
    return ServiceLinkedRole.objects.get(account=account, name="AWSServiceRoleForSupport")


NOT_DELETABLE = (
    "AWS does not allow deleting this role: AWS Support needs this role to support the "
    "account, so it cannot be deleted through the IAM console, API or CLI."
)


def test_the_support_role_says_aws_does_not_allow_deleting_it_and_offers_no_delete(
    operator_client, prod
):
    role = support(prod)
    html = operator_client.get(reverse("role-detail", args=[role.pk])).content.decode()
    assert NOT_DELETABLE in html
    assert reverse("role-delete", args=[role.pk]) not in html
    rule = html.split('data-testid="rule"')[1].split("</p>")[0]
    assert "per the AWS Support guide" in rule
    assert (
        'href="https://docs.aws.amazon.com/awssupport/latest/user/'
        'using-service-linked-roles-sup.html"' in rule
    )


def test_a_deletion_of_the_support_role_is_refused_before_anything_reaches_aws(
    operator_client, prod, emulator
):
    role = support(prod)
    url = reverse("role-delete", args=[role.pk])
    for response in (
        operator_client.get(url),
        operator_client.post(url, {"confirm_name": role.name}),
    ):
        assert response.status_code == 409
        assert NOT_DELETABLE in response.content.decode()
    assert not role.deletions.exists()
    assert emulator.control.calls()["operations"].get("iam:DeleteServiceLinkedRole", 0) == 0


def test_a_checked_role_shows_what_its_guide_says_blocks_it(viewer_client, prod):
    role = ServiceLinkedRole.objects.get(account=prod, name="AWSServiceRoleForElasticLoadBalancing")
    html = viewer_client.get(reverse("role-detail", args=[role.pk])).content.decode()
    assert "Not checked" not in html
    rule = html.split('data-testid="rule"')[1].split("</p>")[0]
    assert (
        "per the Elastic Load Balancing guide:</strong> every load balancer (Application, "
        "Network, Gateway, Classic), in every Region." in rule
    )
    assert "elasticloadbalancing/latest/userguide/elb-service-linked-roles.html" in rule


def test_the_roles_list_marks_the_support_role_not_deletable(viewer_client, prod):
    html = viewer_client.get(reverse("roles"), {"q": "AWSServiceRoleForSupport"}).content.decode()
    assert '<span class="pill bad" title="AWS does not allow deleting this role">' in html

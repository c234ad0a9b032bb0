"""The getters every view checks through (roles/access/permissions.py): the row or 404, then the
check, and a refusal audited with the row's role and account."""

from __future__ import annotations

import pytest
from django.urls import reverse

from roles.models import Account, AuditEvent, ServiceLinkedRole


@pytest.fixture
def account(db) -> Account:
    return Account.objects.create(name="acme-prod", aws_account_id="111111111111")


@pytest.fixture
def role(account) -> ServiceLinkedRole:
    return ServiceLinkedRole.objects.create(
        account=account,
        name="AWSServiceRoleForECS",
        arn="arn:aws:iam::111111111111:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS",
        path="/aws-service-role/ecs.amazonaws.com/",
        service_principal="ecs.amazonaws.com",
    )


@pytest.mark.parametrize(
    ("url", "attempted", "names_role"),
    [
        ("role-delete", "deletion.requested", True),
        ("role-cleanup", "cleanup.planned", True),
        ("role-refresh", "sync.started", True),
        ("role-description", "role.description_edit_requested", True),
        ("account-test", "account.connection_tested", False),
        ("account-refresh", "sync.started", False),
    ],
)
def test_a_viewer_is_refused_with_the_row_named(viewer_client, role, url, attempted, names_role):
    pk = role.pk if names_role else role.account.pk
    response = viewer_client.post(reverse(url, args=[pk]))
    assert response.status_code == 403
    denied = AuditEvent.objects.get(action="auth.denied")
    assert (denied.outcome, denied.details["attempted"], denied.account_id) == (
        "denied",
        attempted,
        "111111111111",
    )
    assert denied.target_arn == (role.arn if names_role else "")


def test_a_missing_row_is_404_and_nothing_is_named(viewer_client, role):
    response = viewer_client.post(reverse("role-delete", args=[role.pk + 1000]))
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="auth.denied").exists()


def test_an_admin_page_refuses_an_operator_on_get_as_on_post(operator_client, account):
    for method in (operator_client.get, operator_client.post):
        assert method(reverse("account-edit", args=[account.pk])).status_code == 403
    denied = AuditEvent.objects.filter(action="auth.denied").order_by("pk")
    assert [(e.details["method"], e.account_id) for e in denied] == [
        ("GET", "111111111111"),
        ("POST", "111111111111"),
    ]

"""Edit a role's description; create a service-linked role."""

import pytest
from django.urls import reverse

from roles.models import AuditEvent, Notification, ServiceLinkedRole, SyncRun
from roles.sync.service import run_sync
from tests.support.aws import client as aws_client


@pytest.fixture
def staging(sync_demo):
    return sync_demo("acme-staging", regions=["us-east-1"])["acme-staging"]


def rds(account) -> ServiceLinkedRole:
    return ServiceLinkedRole.objects.get(account=account, name="AWSServiceRoleForRDS")


def test_operator_edits_the_description_in_aws(operator_client, operator, staging):
    role = rds(staging)
    old = role.description
    response = operator_client.post(
        reverse("role-description", args=[role.pk]), {"description": "Kept for the billing DB"}
    )
    assert response.status_code == 302
    assert rds(staging).description == "Kept for the billing DB"
    in_aws = aws_client("iam", "222222222222").get_role(RoleName="AWSServiceRoleForRDS")["Role"]
    assert in_aws["Description"] == "Kept for the billing DB"
    event = AuditEvent.objects.get(action="role.description_edited")
    session = event.details["change_session"]
    assert event.details == {
        "old": old,
        "new": "Kept for the billing DB",
        "change_session": session,
        "changed_as": f"arn:aws:sts::222222222222:assumed-role/RolecallChange/rolecall-{session}",
    }
    assert event.aws_request_id
    assert Notification.objects.get(user=operator).title.startswith(
        "Description of AWSServiceRoleForRDS"
    )


@pytest.mark.parametrize(
    "text, message",
    [
        ("x" * 1001, "at most 1000 characters"),
        ("line one\nline two", "no control characters"),
        ("escape \x1b[31m", "no control characters"),
    ],
)
def test_bad_descriptions_get_a_form_error_and_nothing_changes(
    operator_client, staging, text, message
):
    role = rds(staging)
    response = operator_client.post(
        reverse("role-description", args=[role.pk]), {"description": text}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert rds(staging).description == role.description
    assert not AuditEvent.objects.filter(action="role.description_edited").exists()


def test_an_aws_refusal_shows_the_code_and_request_id(operator_client, staging, emulator):
    emulator.control.add_faults({"operation": "iam:UpdateRoleDescription", "error": "AccessDenied"})
    role = rds(staging)
    html = operator_client.post(
        reverse("role-description", args=[role.pk]), {"description": "new"}
    ).content.decode()
    event = AuditEvent.objects.get(action="role.description_edited")
    assert "AccessDenied" in html and event.aws_request_id in html
    assert event.outcome == "failure"
    assert rds(staging).description == role.description


def test_viewers_cannot_edit_descriptions(viewer_client, staging):
    response = viewer_client.post(
        reverse("role-description", args=[rds(staging).pk]), {"description": "x"}
    )
    assert response.status_code == 403
    assert AuditEvent.objects.filter(action="auth.denied").count() == 1


def test_admin_creates_a_service_linked_role_and_a_sync_follows(admin_client, staging, emulator):
    response = admin_client.post(
        reverse("role-create"),
        {
            "account": staging.pk,
            "service_principal": "cloudtrail.amazonaws.com",
            "description": "For the organisation trail",
        },
    )
    assert response.status_code == 302
    roles = aws_client("iam", "222222222222").list_roles(PathPrefix="/aws-service-role/cloudtrail")
    assert [r["RoleName"] for r in roles["Roles"]] == ["AWSServiceRoleForCloudTrail"]
    event = AuditEvent.objects.get(action="role.created")
    assert event.target_arn.endswith("/AWSServiceRoleForCloudTrail")
    run = SyncRun.objects.filter(account=staging, status="queued").get()
    run_sync(run.pk)
    assert ServiceLinkedRole.objects.filter(
        account=staging, name="AWSServiceRoleForCloudTrail"
    ).exists()


def test_creating_a_role_that_exists_shows_aws_invalidinput(admin_client, staging):
    response = admin_client.post(
        reverse("role-create"), {"account": staging.pk, "service_principal": "rds.amazonaws.com"}
    )
    assert response.status_code == 400
    assert "InvalidInput" in response.content.decode()
    assert AuditEvent.objects.get(action="role.created").outcome == "failure"


def test_bad_principal_is_a_form_error(admin_client, staging):
    response = admin_client.post(
        reverse("role-create"), {"account": staging.pk, "service_principal": "<evil>"}
    )
    assert response.status_code == 400
    assert "Enter a service principal" in response.content.decode()


def test_operators_cannot_create_roles(operator_client, staging):
    assert operator_client.get(reverse("role-create")).status_code == 403
    assert operator_client.post(reverse("role-create"), {}).status_code == 403

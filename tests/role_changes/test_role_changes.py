"""Edit a role's description; create a service-linked role: the pages ask, the
worker (here its task logic, run in the test) makes the change."""

import pytest
from django.urls import reverse

from roles.inventory.sync.service import run_sync
from roles.models import AuditEvent, Notification, RoleChange, ServiceLinkedRole, SyncRun
from roles.role_changes import worker as change_worker
from tests.support.aws import client as aws_client


@pytest.fixture
def staging(sync_demo):
    return sync_demo("acme-staging", regions=["us-east-1"])["acme-staging"]


def rds(account) -> ServiceLinkedRole:
    return ServiceLinkedRole.objects.get(account=account, name="AWSServiceRoleForRDS")


def worker_runs(change: RoleChange) -> str:
    return change_worker.apply(change.pk)


def test_operator_edits_the_description_in_aws(operator_client, operator, staging):
    role = rds(staging)
    old = role.description
    response = operator_client.post(
        reverse("role-description", args=[role.pk]),
        {"description": "Kept for the billing DB"},
        follow=True,
    )
    assert response.redirect_chain == [(reverse("role-detail", args=[role.pk]), 302)]
    page = response.content.decode()
    assert "Description of AWSServiceRoleForRDS is queued" in page
    assert "“Kept for the billing DB”, asked for by alice, is queued" in page
    change = RoleChange.objects.get()
    assert rds(staging).description == old  # not before AWS has it
    assert worker_runs(change) == "succeeded"
    assert rds(staging).description == "Kept for the billing DB"
    in_aws = aws_client("iam", "222222222222").get_role(RoleName="AWSServiceRoleForRDS")["Role"]
    assert in_aws["Description"] == "Kept for the billing DB"
    event = AuditEvent.objects.get(action="role.description_edited")
    session = event.details["change_session"]
    assert session == f"description-{change.pk}"
    assert event.details == {
        "role_change": change.pk,
        "old": old,
        "new": "Kept for the billing DB",
        "change_session": session,
        "changed_as": f"arn:aws:sts::222222222222:assumed-role/RolecallChange/rolecall-{session}",
    }
    assert event.aws_request_id
    assert Notification.objects.get(user=operator).title.startswith(
        "Description of AWSServiceRoleForRDS"
    )
    # Done: the role page no longer shows it waiting.
    page = operator_client.get(reverse("role-detail", args=[role.pk])).content.decode()
    assert 'data-testid="active-change"' not in page


def test_a_double_submitted_description_form_is_one_change(operator_client, staging, emulator):
    role = rds(staging)
    url = reverse("role-description", args=[role.pk])
    assert operator_client.post(url, {"description": "first"}).status_code == 302
    response = operator_client.post(url, {"description": "second"})
    assert response.status_code == 409
    page = response.content.decode()
    assert "Description of AWSServiceRoleForRDS is already queued" in page
    assert "asked for by alice" in page
    (change,) = RoleChange.objects.all()
    emulator.control.clear_trail()
    assert worker_runs(change) == "succeeded"
    assert len(emulator.control.trail(operation="iam:UpdateRoleDescription")) == 1
    assert rds(staging).description == "first"


def test_a_paused_account_is_refused_on_the_page(operator_client, staging):
    staging.paused = "SUSPENDED"
    staging.save(update_fields=["paused"])
    response = operator_client.post(
        reverse("role-description", args=[rds(staging).pk]), {"description": "x"}
    )
    assert response.status_code == 400
    assert "NotSynced" in response.content.decode()
    assert not RoleChange.objects.exists()


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
    assert not RoleChange.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="role.description").exists()


def test_an_aws_refusal_shows_the_code_and_request_id(operator_client, staging, emulator):
    emulator.control.add_faults({"operation": "iam:UpdateRoleDescription", "error": "AccessDenied"})
    role = rds(staging)
    operator_client.post(reverse("role-description", args=[role.pk]), {"description": "new"})
    assert worker_runs(RoleChange.objects.get()) == "failed"
    event = AuditEvent.objects.get(action="role.description_edited")
    assert event.outcome == "failure" and event.aws_request_id
    html = operator_client.get(reverse("notifications")).content.decode()
    assert "AccessDenied" in html and event.aws_request_id in html
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
    assert worker_runs(RoleChange.objects.get()) == "succeeded"
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
    assert response.status_code == 302
    assert worker_runs(RoleChange.objects.get()) == "failed"
    assert AuditEvent.objects.get(action="role.created").outcome == "failure"
    html = admin_client.get(reverse("notifications")).content.decode()
    assert "InvalidInput" in html


def test_bad_principal_is_a_form_error(admin_client, staging):
    response = admin_client.post(
        reverse("role-create"), {"account": staging.pk, "service_principal": "<evil>"}
    )
    assert response.status_code == 400
    assert "Enter a service principal" in response.content.decode()


def test_operators_cannot_create_roles(operator_client, staging):
    assert operator_client.get(reverse("role-create")).status_code == 403
    assert operator_client.post(reverse("role-create"), {}).status_code == 403

"""The walk in docs/organizations.md from an empty rolecall and an emulated organization
to a first approved deletion ("Trying it on the emulated organization"), with a real
worker, the emulator enforcing the shipped policies, and the form values the page gives.
No policy is edited: every role is the one deploy/aws/ ships."""

from __future__ import annotations

import pytest
from django.urls import reverse

from roles.models import (
    Account,
    AuditEvent,
    DeletionRequest,
    Organization,
    ServiceLinkedRole,
    SyncRun,
)
from tests.support.processes import wait_for

pytestmark = pytest.mark.worker

HUB, SANDBOX = "123456789012", "333333333333"
# docs/organizations.md, "Trying it on the emulated organization", step 2: the form's values.
WALK_FORM = {
    "name": "acme",
    "management_account_id": HUB,
    "role_arn": f"arn:aws:iam::{HUB}:role/RolecallOrganizations",
    "external_id": "rolecall-demo",
    "member_role_name": "RolecallAudit",
    "member_change_role_name": "RolecallChange",
    "member_external_id": "rolecall-demo",
    "enroll": "all",
    "ous_text": "",
    "exclude_text": HUB,
}


def test_from_an_empty_organization_to_a_first_approved_deletion(
    emulator, worker, settings, admin_client, operator_client, approver_client
):
    settings.ROLECALL_REQUIRE_APPROVAL = True
    emulator.control.enforce_iam(True)
    emulator.control.clear_trail()
    assert not Account.objects.exists()
    log = lambda: "".join(worker.output[-40:])  # noqa: E731

    # Connect the organization: the first discovery runs in the worker.
    response = admin_client.post(reverse("organization-add"), WALK_FORM)
    assert response.status_code == 302
    org = Organization.objects.get()
    wait_for(
        lambda: Organization.objects.filter(pk=org.pk, discovered__isnull=False).exists(),
        timeout=60,
        message=f"no discovery:\n{log()}",
    )
    org.refresh_from_db()
    assert org.discovery_error == ""
    page = admin_client.get(reverse("organization-detail", args=[org.pk])).content.decode()
    assert "acme-sandbox" in page and "suspended" in page

    # Each enrolled account is synced by the worker, through its read role.
    sandbox = Account.objects.get(aws_account_id=SANDBOX)
    wait_for(
        lambda: SyncRun.objects.filter(account=sandbox, status="succeeded").exists(),
        timeout=120,
        message=f"acme-sandbox not synced:\n{log()}",
    )
    role = ServiceLinkedRole.objects.get(account=sandbox, name="AWSServiceRoleForECS")
    role_page = operator_client.get(reverse("role-detail", args=[role.pk])).content.decode()
    assert "Can be deleted now" in role_page

    # alice asks, bob approves, the worker deletes through the change role.
    response = operator_client.post(
        reverse("role-delete", args=[role.pk]), {"confirm_name": "AWSServiceRoleForECS"}
    )
    assert response.status_code == 302
    deletion = DeletionRequest.objects.get()
    assert deletion.state == "awaiting_approval"
    response = approver_client.post(
        reverse("deletion-approve", args=[deletion.pk]),
        {"comment": "unused for 230 days", "version": deletion.evidence_version},
    )
    assert response.status_code == 302
    wait_for(
        lambda: not DeletionRequest.objects.get(pk=deletion.pk).is_active,
        timeout=120,
        message=f"deletion still going:\n{log()}",
    )
    deletion.refresh_from_db()
    assert deletion.state == "succeeded", deletion.attempts.last().error
    (delete,) = emulator.control.trail(operation="iam:DeleteServiceLinkedRole")
    assert delete["role_arn"] == f"arn:aws:iam::{SANDBOX}:role/RolecallChange"
    assert delete["source_identity"] == f"alice.{deletion.requested_by_id}"
    assert delete["session_tags"]["rolecall-approver"] == "bob"
    assert not [c for c in emulator.control.trail() if "AccessDenied" in str(c.get("error"))]
    assert AuditEvent.objects.filter(action="account.enrolled", account_id=SANDBOX).exists()

"""A description edit end to end: the page asks, a real worker process makes the
change through the account's change role under the emulator's IAM enforcement, and
the call AWS recorded (as CloudTrail would) names the person who asked."""

from __future__ import annotations

import pytest
from django.urls import reverse

from roles.inventory.sync.service import start_sync
from roles.models import AuditEvent, Notification, RoleChange, ServiceLinkedRole, SyncRun
from tests.support.aws import client as aws_client
from tests.support.processes import wait_for

pytestmark = pytest.mark.worker

STAGING = "222222222222"


def test_the_worker_makes_the_description_edit_in_the_askers_name(
    emulator, worker, demo_accounts, operator, operator_client
):
    emulator.control.enforce_iam(True)
    log = lambda: "".join(worker.output[-40:])  # noqa: E731
    staging = demo_accounts["acme-staging"]
    staging.regions = ["us-east-1"]
    staging.save(update_fields=["regions"])
    run = start_sync(staging)
    wait_for(
        lambda: SyncRun.objects.filter(pk=run.pk, status="succeeded").exists(),
        timeout=120,
        message=f"acme-staging not synced:\n{log()}",
    )
    role = ServiceLinkedRole.objects.get(account=staging, name="AWSServiceRoleForRDS")
    emulator.control.clear_trail()

    response = operator_client.post(
        reverse("role-description", args=[role.pk]), {"description": "Kept for billing"}
    )
    assert response.status_code == 302
    change = RoleChange.objects.get()
    wait_for(
        lambda: RoleChange.objects.filter(pk=change.pk, state="succeeded").exists(),
        timeout=60,
        message=f"the change was not made:\n{log()}",
    )
    change.refresh_from_db()
    assert change.task_id  # the worker's task made it
    found = aws_client("iam", STAGING).get_role(RoleName="AWSServiceRoleForRDS")["Role"]
    assert found["Description"] == "Kept for billing"
    (call,) = emulator.control.trail(operation="iam:UpdateRoleDescription")
    assert call["source_identity"] == f"alice.{operator.pk}"
    assert call["session_tags"] == {
        "rolecall-requester": "alice",
        "rolecall-request": f"description-{change.pk}",
    }
    assert call["caller"] == change.changed_as
    assert change.changed_as.startswith(f"arn:aws:sts::{STAGING}:assumed-role/RolecallChange/")
    # The change role was assumed once, for this change, and by nothing else.
    assumed = [c for c in emulator.control.trail() if "RolecallChange" in c["caller"]]
    assert {c["operation"] for c in assumed} == {"iam:UpdateRoleDescription"}
    event = AuditEvent.objects.get(action="role.description_edited")
    assert (event.actor_name, event.outcome, event.task_id) == ("alice", "success", change.task_id)
    assert Notification.objects.filter(user=operator, level="success").count() == 1
    page = operator_client.get(reverse("role-detail", args=[role.pk])).content.decode()
    assert change.changed_as in page

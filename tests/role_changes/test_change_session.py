"""Reading and changing are separate roles, and every change names who asked and who approved.

The emulator records every call made with assumed-role credentials as CloudTrail
would (the session's role, source identity and session tags). The demo accounts
carry the two roles of deploy/aws/member-roles.yaml; rolecall reads through
RolecallAudit and changes through RolecallChange, one session per change.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from roles.aws.change import Change, change_target, source_identity, tag_value
from roles.deletion.service import decide, request_deletion
from roles.models import Account, AuditEvent, ServiceLinkedRole
from tests.support.drive import drive_cleanup, drive_deletion, planned_and_queued

PROD, STAGING = "111111111111", "222222222222"
READS = {"iam:GetRole", "ecs:ListClusters", "ecs:DescribeClusters", "ecs:DescribeServices"}


@pytest.fixture(autouse=True)
def approval_on(settings):
    settings.ROLECALL_REQUIRE_APPROVAL = True


def ecs_role(account_id: str) -> ServiceLinkedRole:
    return ServiceLinkedRole.objects.get(
        account__aws_account_id=account_id, name="AWSServiceRoleForECS"
    )


def approved(account_id: str, operator, approver):
    deletion = request_deletion(ecs_role(account_id), user=operator).request
    decide(deletion, user=approver, approve=True, version=deletion.evidence_version, comment="ok")
    return deletion


def roles_of(calls: list[dict]) -> set[str]:
    return {call["role_arn"].rsplit("/", 1)[-1] for call in calls}


def test_an_approved_deletion_is_made_by_the_change_role_naming_both_people(
    emulator, sync_demo, operator, approver
):
    sync_demo("acme-staging")
    emulator.control.clear_trail()
    deletion = drive_deletion(approved(STAGING, operator, approver))
    assert deletion.state == "succeeded"

    session = f"rolecall-deletion-{deletion.pk}"
    changed_as = f"arn:aws:sts::{STAGING}:assumed-role/RolecallChange/{session}"
    tags = {
        "rolecall-requester": "alice",
        "rolecall-approver": "bob",
        "rolecall-request": f"deletion-{deletion.pk}",
    }
    (delete,) = emulator.control.trail(operation="iam:DeleteServiceLinkedRole")
    alice = f"alice.{operator.pk}"
    assert (delete["caller"], delete["source_identity"]) == (changed_as, alice)
    assert delete["session_tags"] == tags
    polls = emulator.control.trail(operation="iam:GetServiceLinkedRoleDeletionStatus")
    assert polls and {(p["source_identity"], p["role_arn"]) for p in polls} == {
        (alice, f"arn:aws:iam::{STAGING}:role/RolecallChange")
    }
    # The evidence re-read just before went through the read role, naming nobody.
    reads = [c for c in emulator.control.trail() if c["operation"] in READS]
    assert reads and roles_of(reads) == {"RolecallAudit"}
    assert {c["source_identity"] for c in reads} == {""}

    attempt = deletion.attempts.get()
    assert attempt.changed_as == changed_as
    submitted = AuditEvent.objects.get(action="deletion.submitted")
    assert submitted.details["changed_as"] == changed_as


def test_the_deletion_and_role_pages_show_who_aws_saw_make_the_change(
    emulator, sync_demo, operator, approver, operator_client
):
    sync_demo("acme-staging")
    deletion = drive_deletion(approved(STAGING, operator, approver))
    changed_as = f"assumed-role/RolecallChange/rolecall-deletion-{deletion.pk}"
    html = operator_client.get(reverse("deletion-detail", args=[deletion.pk])).content.decode()
    assert changed_as in html
    html = operator_client.get(reverse("role-detail", args=[deletion.role_id])).content.decode()
    assert 'data-testid="changed-as"' in html and changed_as in html


def test_a_change_role_in_another_account_stops_the_deletion_before_aws_is_asked(
    emulator, sync_demo, operator, approver
):
    """The change role re-pointed (here straight in the database, as the form refuses it)
    to another account's change role, after the approval: nothing is deleted."""
    sync_demo("acme-staging")
    deletion = approved(STAGING, operator, approver)
    Account.objects.filter(aws_account_id=STAGING).update(
        change_role_arn=f"arn:aws:iam::{PROD}:role/RolecallChange"
    )
    deletion = drive_deletion(deletion)
    assert deletion.state != "succeeded"
    assert [c["field"] for c in deletion.voided_changes] == ["account the change role answered for"]
    assert emulator.control.trail(operation="iam:DeleteServiceLinkedRole") == []
    assert emulator.control.calls()["operations"].get("iam:DeleteServiceLinkedRole", 0) == 0


def test_an_account_without_a_change_role_changes_through_its_read_role(
    emulator, sync_demo, operator, approver
):
    sync_demo("acme-staging")
    Account.objects.filter(aws_account_id=STAGING).update(change_role_arn="")
    deletion = drive_deletion(approved(STAGING, operator, approver))
    assert deletion.state == "succeeded"
    (delete,) = emulator.control.trail(operation="iam:DeleteServiceLinkedRole")
    assert delete["role_arn"] == f"arn:aws:iam::{STAGING}:role/RolecallAudit"
    assert (delete["source_identity"], delete["session_tags"]) == ("", {})
    assert deletion.attempts.get().changed_as == delete["caller"]


def test_a_cleanup_changes_through_the_change_role_and_reads_through_the_read_role(
    emulator, sync_demo, operator, approver
):
    from roles.cleanup.service import decide as decide_cleanup

    accounts = sync_demo("acme-prod")
    plan = planned_and_queued(accounts["acme-prod"], operator)
    decide_cleanup(plan, user=approver, approve=True, comment="ok")
    emulator.control.clear_trail()
    plan = drive_cleanup(plan)
    assert plan.state == "succeeded"
    trail = emulator.control.trail()
    writes = [
        c
        for c in trail
        if c["operation"]
        in {"ecs:UpdateService", "ecs:DeleteService", "ecs:DeregisterContainerInstance"}
        | {"ecs:DeleteCluster"}
    ]
    assert writes and roles_of(writes) == {"RolecallChange"}
    assert {c["source_identity"] for c in writes} == {f"alice.{operator.pk}"}
    assert {c["session_tags"]["rolecall-request"] for c in writes} == {f"cleanup-{plan.pk}"}
    assert {c["session_tags"]["rolecall-approver"] for c in writes} == {"bob"}
    reads = [c for c in trail if c["operation"] in {"ecs:DescribeClusters", "ecs:DescribeServices"}]
    assert reads and roles_of(reads) == {"RolecallAudit"}
    steps = AuditEvent.objects.filter(action="cleanup.step", details__result="done")
    changed = {e.details["changed_as"] for e in steps if e.details["action"] != "WaitForDrain"}
    assert changed == {
        f"arn:aws:sts::{PROD}:assumed-role/RolecallChange/rolecall-cleanup-{plan.pk}"
    }


@pytest.mark.parametrize(
    "field, value, message",
    [
        (
            "change_role_arn",
            f"arn:aws:iam::{PROD}:role/RolecallChange",
            "The role must be in the account itself.",
        ),
        (
            "change_role_arn",
            f"arn:aws:iam::{STAGING}:role/RolecallAudit",
            "This is the role for reading.",
        ),
        ("change_role_arn", "arn:aws:iam::nope", "Enter a role ARN"),
    ],
)
def test_the_account_form_refuses_a_change_role_that_is_not_the_accounts_own(
    admin_client, demo_accounts, field, value, message
):
    staging = demo_accounts["acme-staging"]
    data = {
        "aws_account_id": staging.aws_account_id,
        "name": staging.name,
        "role_arn": staging.role_arn,
        "change_role_arn": staging.change_role_arn,
        "external_id": staging.external_id,
        "regions_text": "",
        "enabled": "on",
        field: value,
    }
    response = admin_client.post(reverse("account-edit", args=[staging.pk]), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    staging.refresh_from_db()
    assert staging.change_role_arn == f"arn:aws:iam::{STAGING}:role/RolecallChange"


def test_the_account_page_says_how_changes_are_made(viewer_client, demo_accounts):
    prod, hub = demo_accounts["acme-prod"], demo_accounts["security-hub"]
    html = viewer_client.get(reverse("account-detail", args=[prod.pk])).content.decode()
    assert 'data-testid="change-role"' in html and "RolecallChange" in html
    html = viewer_client.get(reverse("account-detail", args=[hub.pk])).content.decode()
    assert 'data-testid="no-change-role"' in html


def test_names_become_what_aws_accepts():
    assert source_identity("alice", 3) == "alice.3"
    assert source_identity("Zoë Smith/ops", 12) == "Zo--Smith-ops.12"
    assert source_identity("x" * 200, 12345) == "x" * 58 + ".12345"
    assert tag_value("Zoë <b>") == "Zoë -b-"


def test_two_users_whose_names_read_alike_are_two_identities_in_cloudtrail(
    emulator, demo_accounts, operator
):
    """jösé and j-s- both read "j-s-" in the characters STS accepts: the user id tells
    them apart, the same user is always named the same, and STS takes each value."""
    from roles.aws.account import AccountAws
    from tests.conftest import make_user

    emulator.control.enforce_iam(True)
    emulator.control.clear_trail()
    staging = demo_accounts["acme-staging"]
    jose, other = make_user("jösé", "operator"), make_user("j-s-", "operator")
    long_a, long_b = make_user("a" * 70 + "1"), make_user("a" * 70 + "2")
    named = {}
    for user in (jose, other, jose, long_a, long_b):
        change = Change(f"deletion-{user.pk}", user.username, requester_id=user.pk)
        AccountAws.for_change(staging, change).identity()
        named.setdefault(user.pk, set()).add(change_target(staging, change).source_identity)
    calls = emulator.control.trail(operation="sts:GetCallerIdentity")
    seen = [c["source_identity"] for c in calls]
    assert seen == [
        f"j-s-.{jose.pk}",
        f"j-s-.{other.pk}",
        f"j-s-.{jose.pk}",
        "a" * (63 - len(str(long_a.pk))) + f".{long_a.pk}",
        "a" * (63 - len(str(long_b.pk))) + f".{long_b.pk}",
    ]
    assert all(len(ids) == 1 for ids in named.values())  # one user, one identity
    assert len({next(iter(ids)) for ids in named.values()}) == 4
    assert all(re.fullmatch(r"[\w+=,.@-]{2,64}", s, re.ASCII) for s in seen)
    # A requester whose user was deleted since: never a live user's id.
    gone = source_identity("jösé", None)
    assert gone.startswith("j-s-.x") and gone != source_identity("j-s-", None)


def test_a_change_target_is_short_and_names_the_change(demo_accounts, settings):
    prod = demo_accounts["acme-prod"]
    target = change_target(prod, Change("deletion-7", "alice", "bob", 4))
    assert (target.role_arn, target.session_name) == (prod.change_role_arn, "rolecall-deletion-7")
    assert target.source_identity == "alice.4" and target.external_id == prod.external_id
    assert target.duration_seconds == settings.ROLECALL_CHANGE_SESSION_SECONDS == 900
    assert dict(target.tags) == {
        "rolecall-requester": "alice",
        "rolecall-approver": "bob",
        "rolecall-request": "deletion-7",
    }
    hub = demo_accounts["security-hub"]
    assert change_target(hub, Change("deletion-8", "alice")) == hub.target()


def test_a_direct_change_through_another_accounts_change_role_changes_nothing(
    emulator, sync_demo, operator
):
    from django.test import RequestFactory

    from roles.role_changes import service as changes
    from roles.role_changes import worker as change_worker
    from tests.support.aws import client as aws_client

    accounts = sync_demo("acme-staging")
    Account.objects.filter(aws_account_id=STAGING).update(
        change_role_arn=f"arn:aws:iam::{PROD}:role/RolecallChange"
    )
    role = ServiceLinkedRole.objects.get(
        account=accounts["acme-staging"], name="AWSServiceRoleForRDS"
    )
    role.account.refresh_from_db()
    request = RequestFactory().post("/")
    request.user = operator
    change = changes.request_description(role, "moved", request=request)
    assert change_worker.apply(change.pk) == "failed"
    change.refresh_from_db()
    assert change.error["code"] == "WrongAccount"
    assert emulator.control.trail(operation="iam:UpdateRoleDescription") == []
    for account_id in (STAGING, PROD):
        found = aws_client("iam", account_id).get_role(RoleName="AWSServiceRoleForRDS")
        assert found["Role"].get("Description") != "moved"
    event = AuditEvent.objects.get(action="role.description_edited")
    assert event.outcome == "failure" and event.details["error"]["code"] == "WrongAccount"


def test_a_cleanup_whose_change_role_acts_in_another_account_touches_nothing(
    emulator, sync_demo, operator, approver
):
    from roles.cleanup.service import decide as decide_cleanup

    accounts = sync_demo("acme-prod")
    plan = planned_and_queued(accounts["acme-prod"], operator)
    decide_cleanup(plan, user=approver, approve=True, comment="ok")
    Account.objects.filter(aws_account_id=PROD).update(
        change_role_arn=f"arn:aws:iam::{STAGING}:role/RolecallChange"
    )
    emulator.control.clear_trail()
    plan = drive_cleanup(plan)
    assert plan.state != "succeeded"
    writes = {"ecs:UpdateService", "ecs:DeleteService", "ecs:DeregisterContainerInstance"}
    assert [
        c for c in emulator.control.trail() if c["operation"] in writes | {"ecs:DeleteCluster"}
    ] == []
    assert set(plan.steps.values_list("status", flat=True)) == {"skipped"}
    notes = set(plan.steps.values_list("note", flat=True))
    assert all(f"(changes: {STAGING}): nothing is touched" in note for note in notes)


def test_a_retry_is_made_in_the_name_of_whoever_retried(emulator, sync_demo, operator, approver):
    from roles.deletion.service import retry_deletion
    from tests.conftest import make_user
    from tests.support.aws import remove_ecs_clusters
    from tests.support.sync import REGIONS, sync_now

    accounts = sync_demo("acme-prod")
    first = drive_deletion(approved(PROD, operator, approver))
    assert first.state == "failed"  # the clusters still hold the role
    remove_ecs_clusters(PROD, REGIONS)
    sync_now(accounts["acme-prod"])  # the retry's evidence: no clusters any more
    dana = make_user("dana", "operator")
    retried = retry_deletion(first, user=dana)
    decide(retried, user=approver, approve=True, version=retried.evidence_version, comment="ok")
    emulator.control.clear_trail()
    assert drive_deletion(retried).state == "succeeded"
    (delete,) = emulator.control.trail(operation="iam:DeleteServiceLinkedRole")
    assert delete["source_identity"] == f"dana.{dana.pk}"
    assert delete["session_tags"]["rolecall-requester"] == "dana"
    assert delete["session_tags"]["rolecall-approver"] == "bob"


def test_a_long_cleanup_assumes_the_change_role_again_before_its_session_ends(
    monkeypatch, emulator, sync_demo, operator, approver
):
    from types import SimpleNamespace

    from roles.cleanup import steps
    from roles.cleanup.service import decide as decide_cleanup

    accounts = sync_demo("acme-prod")
    plan = planned_and_queued(accounts["acme-prod"], operator)
    decide_cleanup(plan, user=approver, approve=True, comment="ok")
    clock = [1000.0]
    monkeypatch.setattr(steps, "time", SimpleNamespace(monotonic=lambda: clock[0]))
    client = steps.Client(plan, "us-east-1")
    emulator.control.reset_calls()
    first = client.change()
    clock[0] += 900 - 61  # a minute before the 900-second session would end
    assert client.change() is first
    clock[0] += 2
    assert client.change() is not first
    assert emulator.control.calls()["operations"]["sts:AssumeRole"] == 2

"""A campaign and roles rolecall cannot check ("Not checked"): set apart by default, as
protected roles are; included only when the author ticks an acknowledgement, which
the approver is shown (page, notification, typed confirmation, API) and the evidence
keeps. Every other way in is tried: the draft form posted after a role turned "Not
checked", and a role that turns "Not checked" between the approval and its deletion.

AWSServiceRoleForEC2Spot stands for such a role: EC2 names nothing that blocks it
(roles/inventory/rules.py), so rolecall has nothing to read. It is created in the
sandbox through IAM, as EC2 would, and the sandbox synced."""

from __future__ import annotations

from dataclasses import replace

import pytest
from django.urls import reverse

from roles.accounts.demo import AUDIT_ROLE, CHANGE_ROLE, EXTERNAL_ID
from roles.campaigns import select, service
from roles.campaigns.kind import confirmation
from roles.campaigns.select import ACKNOWLEDGED
from roles.inventory import rules
from roles.models import (
    Account,
    AuditEvent,
    Campaign,
    CampaignRole,
    Notification,
    ServiceLinkedRole,
)
from tests.support.api import token_for
from tests.support.aws import client as aws_client
from tests.support.campaigns import approved, run_to_the_end
from tests.support.sync import sync_now

SANDBOX, SPOT, ECS = "333333333333", "AWSServiceRoleForEC2Spot", "AWSServiceRoleForECS"
Row = CampaignRole.State


@pytest.fixture
def sandbox(sync_demo, demo_accounts) -> Account:
    demo_accounts["acme-sandbox"] = Account.objects.create(
        name="acme-sandbox",
        aws_account_id=SANDBOX,
        role_arn=AUDIT_ROLE.format(account=SANDBOX),
        change_role_arn=CHANGE_ROLE.format(account=SANDBOX),
        external_id=EXTERNAL_ID,
    )
    account = sync_demo("acme-sandbox")["acme-sandbox"]
    aws_client("iam", SANDBOX).create_service_linked_role(AWSServiceName="spot.amazonaws.com")
    assert sync_now(account).status == "succeeded"
    return account


def role(name: str) -> ServiceLinkedRole:
    return ServiceLinkedRole.objects.get(account__aws_account_id=SANDBOX, name=name)


def in_aws() -> set[str]:
    roles = aws_client("iam", SANDBOX).list_roles(PathPrefix="/aws-service-role/")["Roles"]
    return {r["RoleName"] for r in roles}


def unchecked_from_now_on(monkeypatch, principal: str) -> None:
    """rolecall stops checking the service (a release withdrew its rule's read, as one
    turning Organizations outside any organization to "Not checked" did)."""
    monkeypatch.setitem(rules.RULES, principal, replace(rules.RULES[principal], checked=False))


def test_not_checked_roles_are_left_alone_unless_the_author_acknowledges(sandbox, operator):
    spot, ecs = role(SPOT), role(ECS)
    assert (spot.verdict, ecs.verdict) == ("not_checked", "ready")
    roles = ServiceLinkedRole.objects.filter(pk__in=[spot.pk, ecs.pk])

    plain = select.draft("Unused", roles, user=operator, selection={})
    row = plain.roles.get(role=spot)
    assert row.state == Row.EXCLUDED
    assert row.reason.startswith("Not checked: rolecall cannot tell whether its service")
    assert ACKNOWLEDGED not in row.evidence
    assert plain.role_name == "1 role" and confirmation(plain) == "retire 1 role"
    assert select.acknowledgement(plain) is None

    acknowledged = select.draft(
        "Unused", roles, user=operator, selection={}, include_not_checked=True
    )
    row = acknowledged.roles.get(role=spot)
    assert (row.state, row.reason, row.verdict) == (Row.PENDING, "", "not_checked")
    assert row.evidence[ACKNOWLEDGED]["by"] == "alice"
    assert ACKNOWLEDGED not in acknowledged.roles.get(role=ecs).evidence
    assert acknowledged.selection == {"include_not_checked": True}
    assert confirmation(acknowledged) == "retire 2 roles (1 not checked)"
    shown = select.acknowledgement(acknowledged)
    assert (shown["by"], shown["roles"], shown["at"]) == (
        "alice",
        1,
        row.evidence[ACKNOWLEDGED]["at"],
    )

    events = AuditEvent.objects.filter(action="campaign.drafted").order_by("seq")
    assert [
        (e.details["include_not_checked"], e.details["not_checked_included"]) for e in events
    ] == [(False, 0), (True, 1)]


def test_the_form_sets_them_apart_unless_ticked_and_the_approver_is_shown_the_acknowledgement(
    sandbox, operator, approver, operator_client, approver_client
):
    spot, ecs = role(SPOT), role(ECS)
    picked = {"name": "Unused", "pick": [spot.pk, ecs.pk]}
    operator_client.post(reverse("campaign-new"), picked)
    unticked = Campaign.objects.latest("pk")
    assert unticked.roles.get(role=spot).state == Row.EXCLUDED
    html = operator_client.get(reverse("campaign-detail", args=[unticked.pk])).content.decode()
    assert 'data-testid="not-checked-acknowledged"' not in html
    assert "Not checked: rolecall cannot tell" in html  # under "Left alone"

    operator_client.post(reverse("campaign-new"), {**picked, "include_not_checked": "on"})
    campaign = Campaign.objects.latest("pk")
    assert campaign.roles.get(role=spot).state == Row.PENDING
    service.ask_approval(campaign, user=operator)
    (asked,) = Notification.objects.filter(user=approver, title__startswith="Approval needed")
    assert "1 of them not checked" in asked.body and "acknowledged" in asked.body

    page = approver_client.get(reverse("campaign-detail", args=[campaign.pk])).content.decode()
    assert 'data-testid="not-checked-acknowledged"' in page
    assert "1 role not checked" in page and "alice acknowledged that" in page
    assert 'data-testid="acknowledged"' in page  # the row itself says so
    body = token_for(approver).get(f"/api/v1/campaigns/{campaign.pk}/").json()
    assert (body["not_checked"]["by"], body["not_checked"]["roles"]) == ("alice", 1)
    assert body["confirmation"] == "retire 2 roles (1 not checked)"
    # Approving needs the typed words that name them.
    refused = approver_client.post(
        reverse("campaign-approve", args=[campaign.pk]),
        {"comment": "ok", "version": campaign.version, "typed": "retire 2 roles"},
        follow=True,
    )
    assert "Type “retire 2 roles (1 not checked)” to approve." in refused.content.decode()
    assert Campaign.objects.get(pk=campaign.pk).state == "awaiting_approval"


def test_attack_a_form_loaded_while_the_role_was_ready_posted_after_it_turned_not_checked(
    sandbox, operator_client, monkeypatch
):
    ecs = role(ECS)
    page = operator_client.get(reverse("roles"), {"account": sandbox.pk}).content.decode()
    assert 'data-testid="draft-campaign"' in page and ecs.verdict == "ready"
    unchecked_from_now_on(monkeypatch, "ecs.amazonaws.com")
    operator_client.post(reverse("campaign-new"), {"name": "Stale", "pick": [ecs.pk]})
    row = Campaign.objects.get().roles.get()
    assert (row.state, row.verdict) == (Row.EXCLUDED, "not_checked")
    assert row.reason.startswith("Not checked: rolecall cannot tell")


def test_attack_a_role_that_turns_not_checked_after_the_approval_is_skipped_not_deleted(
    sandbox, operator, approver, monkeypatch
):
    """The author acknowledged the Spot role, not the ECS role: the ECS role was ready
    when the approver saw it. Turned "Not checked" since, it is not sent; the Spot
    role, acknowledged, is."""
    roles = ServiceLinkedRole.objects.filter(pk__in=[role(SPOT).pk, role(ECS).pk])
    campaign = select.draft("Unused", roles, user=operator, selection={}, include_not_checked=True)
    campaign = approved(campaign, approver)
    unchecked_from_now_on(monkeypatch, "ecs.amazonaws.com")
    campaign = run_to_the_end(campaign)
    outcomes = dict(campaign.roles.values_list("role_name", "state"))
    assert outcomes == {SPOT: Row.SUCCEEDED, ECS: Row.SKIPPED}
    skipped = campaign.roles.get(role_name=ECS)
    assert skipped.reason.startswith("Not sent: Not checked: rolecall cannot tell")
    assert skipped.deletion is None
    assert ECS in in_aws() and SPOT not in in_aws()
    finished = AuditEvent.objects.get(action="campaign.finished")
    assert (finished.details["succeeded"], finished.details["skipped"]) == (1, 1)

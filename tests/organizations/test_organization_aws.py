"""Organizations discovery against the emulated organization, over HTTP, with the
emulator enforcing the shipped policies (deploy/aws/organization-role.yaml).

The demo organization (emulator/scenarios/demo.py) is managed by the hub:
security-hub at the root, acme-prod under Workloads / Production, acme-staging under
Workloads / Staging, acme-sandbox under Sandbox, and acme-legacy, suspended, under
Suspended. Changes to it are made as its administrator would, through the
Organizations API from the hub (CreateAccount, CloseAccount, MoveAccount).
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from emulator import member_roles
from roles.deletion.service import DeletionRefused, decide, request_deletion
from roles.models import Account, AuditEvent, MemberAccount, Organization, ServiceLinkedRole
from roles.organizations import discovery
from tests.support.aws import admin, without_action
from tests.support.drive import drive_deletion

HUB, PROD, STAGING = "123456789012", "111111111111", "222222222222"
SANDBOX, LEGACY = "333333333333", "444444444444"
ORG_ROLE = f"arn:aws:iam::{HUB}:role/RolecallOrganizations"
READS = {
    "organizations:ListRoots",
    "organizations:ListOrganizationalUnitsForParent",
    "organizations:ListAccountsForParent",
    "organizations:ListAccounts",
}


@pytest.fixture
def enforced(emulator):
    emulator.control.enforce_iam(True)
    emulator.control.clear_trail()
    return emulator


def connect(**fields) -> Organization:
    values = {
        "name": "acme",
        "management_account_id": HUB,
        "role_arn": ORG_ROLE,
        "external_id": "rolecall-demo",
        "member_external_id": "rolecall-demo",
        "enroll": "all",
        "exclude_accounts": [HUB],
        **fields,
    }
    return Organization.objects.create(**values)


def members() -> dict[str, MemberAccount]:
    return {m.aws_account_id: m for m in MemberAccount.objects.select_related("account")}


def test_discovery_reads_the_organization_through_its_read_role_only(enforced, db):
    org = discovery.discover(connect().pk)
    assert org.discovery_error == ""
    assert org.aws_organization_id.startswith("o-")
    found = members()
    assert set(found) == {HUB, PROD, STAGING, SANDBOX, LEGACY}
    assert found[HUB].ou_path == ""
    assert found[PROD].ou_path == "Workloads / Production"
    assert found[STAGING].ou_path == "Workloads / Staging"
    assert found[SANDBOX].ou_path == "Sandbox"
    assert (found[LEGACY].state, found[LEGACY].account) == ("SUSPENDED", None)
    assert found[PROD].name == "acme-prod" and found[PROD].email == "aws+acme-prod@example.com"
    enrolled = Account.objects.filter(organization=org)
    assert sorted(a.aws_account_id for a in enrolled) == [PROD, STAGING, SANDBOX]
    sandbox = enrolled.get(aws_account_id=SANDBOX)
    assert sandbox.role_arn == f"arn:aws:iam::{SANDBOX}:role/RolecallAudit"
    assert sandbox.change_role_arn == f"arn:aws:iam::{SANDBOX}:role/RolecallChange"
    # Every Organizations call went through RolecallOrganizations, and AWS allowed it.
    calls = [c for c in enforced.control.trail() if c["operation"].startswith("organizations:")]
    assert {c["operation"] for c in calls} == READS
    assert {c["role_arn"] for c in calls} == {ORG_ROLE}
    assert not [c for c in calls if c.get("error")]


def test_the_read_role_is_refused_what_the_organization_role_does_not_grant(enforced):
    """The member read role cannot list the organization, and the Organizations role
    cannot change it."""
    from roles.aws.session import AccountSession, Target

    audit = AccountSession(Target(HUB, f"arn:aws:iam::{HUB}:role/RolecallAudit", "rolecall-demo"))
    with pytest.raises(Exception, match="AccessDenied"):
        audit.client("organizations").list_accounts()
    reader = AccountSession(Target(HUB, ORG_ROLE, "rolecall-demo"))
    with pytest.raises(Exception, match="AccessDenied"):
        reader.client("organizations").create_account(Email="aws+x@example.com", AccountName="x")


@pytest.mark.parametrize("action", sorted(READS))
def test_every_action_of_the_organization_role_is_needed(enforced, db, action):
    (spec,) = member_roles.organization_roles()
    without_action(spec, action, HUB)
    org = discovery.discover(connect().pk)
    operation = action.split(":")[1]
    assert "AccessDenied" in org.discovery_error and operation in org.discovery_error
    assert not MemberAccount.objects.exists() and not Account.objects.exists()
    failed = AuditEvent.objects.get(action="organization.discovery_failed")
    assert failed.outcome == "failure" and failed.aws_request_id
    assert failed.details["error"]["operation"] == operation


def test_a_member_account_cannot_read_the_organization_and_the_page_says_why(
    enforced, db, viewer_client
):
    org = connect(
        name="wrong",
        management_account_id=PROD,
        role_arn=f"arn:aws:iam::{PROD}:role/RolecallAudit",
    )
    org = discovery.discover(org.pk)
    assert "AccessDenied" in org.discovery_error
    failed = AuditEvent.objects.get(action="organization.discovery_failed")
    html = viewer_client.get(reverse("organization-detail", args=[org.pk])).content.decode()
    assert failed.aws_request_id in html and "AccessDenied" in html


def test_new_closed_and_moved_accounts_are_seen_at_the_next_discovery(enforced, db):
    org = discovery.discover(connect().pk)
    organizations = admin("organizations")
    made = organizations.create_account(Email="aws+acme-new@example.com", AccountName="acme-new")
    new_id = made["CreateAccountStatus"]["AccountId"]
    organizations.close_account(AccountId=STAGING)
    root = organizations.list_roots()["Roots"][0]["Id"]
    ous = {
        ou["Name"]: ou["Id"]
        for ou in organizations.list_organizational_units_for_parent(ParentId=root)[
            "OrganizationalUnits"
        ]
    }
    workloads = ous["Workloads"]
    production = next(
        ou["Id"]
        for ou in organizations.list_organizational_units_for_parent(ParentId=workloads)[
            "OrganizationalUnits"
        ]
        if ou["Name"] == "Production"
    )
    organizations.move_account(
        AccountId=PROD, SourceParentId=production, DestinationParentId=ous["Sandbox"]
    )

    org = discovery.discover(org.pk)
    found = members()
    assert found[new_id].name == "acme-new" and found[new_id].ou_path == ""
    assert found[new_id].account.organization == org  # enrolled, and syncing
    assert found[new_id].account.role_arn == f"arn:aws:iam::{new_id}:role/RolecallAudit"
    staging = Account.objects.get(aws_account_id=STAGING)
    assert staging.paused in {"SUSPENDED", "PENDING_CLOSURE", "CLOSED"}
    assert found[PROD].ou_path == "Sandbox"
    event = AuditEvent.objects.filter(action="organization.discovered").order_by("pk").last()
    assert event.details["new"] == [new_id] and event.details["enrolled"] == [new_id]
    assert event.details["moved"] == [
        {"account": PROD, "from": "Workloads / Production", "to": "Sandbox"}
    ]
    assert [s["account"] for s in event.details["state"]] == [STAGING]


def test_chosen_ous_enroll_below_them_only(enforced, db):
    organizations = admin("organizations")
    root = organizations.list_roots()["Roots"][0]["Id"]
    workloads = next(
        ou["Id"]
        for ou in organizations.list_organizational_units_for_parent(ParentId=root)[
            "OrganizationalUnits"
        ]
        if ou["Name"] == "Workloads"
    )
    org = discovery.discover(connect(enroll="ous", enroll_ous=[workloads]).pk)
    enrolled = sorted(org.enrolled.values_list("aws_account_id", flat=True))
    assert enrolled == [PROD, STAGING]


def ecs_role(account_id: str) -> ServiceLinkedRole:
    return ServiceLinkedRole.objects.get(
        account__aws_account_id=account_id, name="AWSServiceRoleForECS"
    )


def closed_and_discovered(account_id: str) -> None:
    """The administrator closes the account; the next discovery pauses it."""
    org = Organization.objects.first() or connect()
    admin("organizations").close_account(AccountId=account_id)
    discovery.discover(org.pk)
    assert Account.objects.get(aws_account_id=account_id).paused


def test_attack_approve_a_request_in_an_account_closed_since(
    enforced, sync_demo, operator, approver, settings
):
    settings.ROLECALL_REQUIRE_APPROVAL = True
    sync_demo("acme-staging")
    discovery.discover(connect().pk)  # links the hand-added demo accounts
    deletion = request_deletion(ecs_role(STAGING), user=operator).request
    closed_and_discovered(STAGING)
    with pytest.raises(DeletionRefused, match="acme-staging is not synced"):
        decide(deletion, user=approver, approve=True, version=deletion.evidence_version, comment="")
    deletion.refresh_from_db()
    assert deletion.state == "awaiting_approval" and deletion.approved_by is None


def test_attack_an_approved_deletion_in_an_account_closed_since_is_not_sent(
    enforced, sync_demo, operator, approver, settings
):
    settings.ROLECALL_REQUIRE_APPROVAL = True
    sync_demo("acme-staging")
    discovery.discover(connect().pk)
    deletion = request_deletion(ecs_role(STAGING), user=operator).request
    decide(deletion, user=approver, approve=True, version=deletion.evidence_version, comment="ok")
    closed_and_discovered(STAGING)
    deletion = drive_deletion(deletion)
    assert deletion.state == "failed"
    assert deletion.attempts.last().error["code"] == "NotSynced"
    assert enforced.control.trail(operation="iam:DeleteServiceLinkedRole") == []
    assert ecs_role(STAGING).state == "present"


# --- connecting: the typed management account against DescribeOrganization ------------

FORM = {
    "name": "acme",
    "management_account_id": HUB,
    "role_arn": ORG_ROLE,
    "external_id": "rolecall-demo",
    "member_role_name": "RolecallAudit",
    "member_change_role_name": "RolecallChange",
    "member_external_id": "rolecall-demo",
    "enroll": "all",
    "ous_text": "",
    "exclude_text": HUB,
}
# A role in acme-prod that rolecall can assume (deploy/aws/member-roles.yaml).
PROD_ROLE = f"arn:aws:iam::{PROD}:role/RolecallAudit"


def test_connecting_asks_aws_who_manages_the_organization(enforced, admin_client):
    response = admin_client.post(reverse("organization-add"), FORM)
    assert response.status_code == 302
    assert Organization.objects.get().management_account_id == HUB
    (asked,) = enforced.control.trail(operation="organizations:DescribeOrganization")
    assert asked["role_arn"] == ORG_ROLE and not asked.get("error")


def test_attack_a_member_account_typed_as_the_management_account_is_refused(emulator, admin_client):
    """acme-prod is a member: its role answers DescribeOrganization (any account of an
    organization may) with the hub as MasterAccountId. Without enforcement, so that it is
    the answer that refuses, not a missing permission."""
    emulator.control.enforce_iam(False)
    form = {**FORM, "management_account_id": PROD, "role_arn": PROD_ROLE, "exclude_text": ""}
    response = admin_client.post(reverse("organization-add"), form)
    assert response.status_code == 400
    text = response.content.decode()
    assert f"is {HUB}, not {PROD}. Nothing was stored" in text
    assert "AWS says the management account of organization o-" in text
    assert not Organization.objects.exists() and not Account.objects.exists()
    refused = AuditEvent.objects.get(action="organization.added")
    assert (refused.outcome, refused.account_id) == ("denied", PROD)
    assert refused.aws_request_id
    assert (refused.details["typed"], refused.details["reported"]) == (PROD, HUB)


def test_attack_editing_to_a_member_account_keeps_the_connection_as_it_was(emulator, admin_client):
    emulator.control.enforce_iam(False)
    org = discovery.discover(connect().pk)
    enrolled = sorted(Account.objects.filter(organization=org).values_list("pk", flat=True))
    form = {
        **FORM,
        "management_account_id": PROD,
        "role_arn": PROD_ROLE,
        "exclude_text": ", ".join(org.exclude_accounts),
    }
    response = admin_client.post(reverse("organization-edit", args=[org.pk]), form)
    assert response.status_code == 400
    assert f"is {HUB}, not {PROD}" in response.content.decode()
    kept = Organization.objects.get(pk=org.pk)
    assert (kept.management_account_id, kept.role_arn) == (HUB, ORG_ROLE)
    assert sorted(Account.objects.filter(organization=org).values_list("pk", flat=True)) == (
        enrolled
    )
    assert MemberAccount.objects.filter(organization=org).count() == 5
    refused = AuditEvent.objects.get(action="organization.changed")
    assert (refused.outcome, refused.details["reported"]) == ("denied", HUB)


def test_connecting_needs_describe_organization_in_the_organization_role(enforced, admin_client):
    (spec,) = member_roles.organization_roles()
    without_action(spec, "organizations:DescribeOrganization", HUB)
    response = admin_client.post(reverse("organization-add"), FORM)
    assert response.status_code == 400
    text = response.content.decode()
    assert f"AWS could not confirm that {HUB} manages the organization" in text
    assert "DescribeOrganization: AccessDenied" in text
    assert not Organization.objects.exists()
    refused = AuditEvent.objects.get(action="organization.added")
    assert refused.outcome == "denied" and refused.details["error"]["code"].startswith("Access")

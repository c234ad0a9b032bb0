"""The organization pages: who may connect, edit and discover, what each records,
what bad input gets, and the rails around enrolled and paused accounts."""

from __future__ import annotations

import time

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from roles.access.reauth import REAUTH_AT
from roles.deletion.kind import DeletionRefused, refuse_unless_deletable
from roles.models import Account, AuditEvent, MemberAccount, Organization, ServiceLinkedRole
from roles.organizations import discovery
from tests.organizations.test_discovery import BASE, MGMT, listing, member

FORM = {
    "name": "acme",
    "management_account_id": MGMT,
    "role_arn": f"arn:aws:iam::{MGMT}:role/RolecallOrganizations",
    "external_id": "x-org",
    "member_role_name": "RolecallAudit",
    "member_change_role_name": "RolecallChange",
    "member_external_id": "x-member",
    "enroll": "all",
    "ous_text": "",
    "exclude_text": MGMT,
}


@pytest.fixture
def org(db) -> Organization:
    org = Organization.objects.create(
        name="acme",
        management_account_id=MGMT,
        role_arn=FORM["role_arn"],
        external_id="x-org",
        member_external_id="x-member",
        enroll="all",
        exclude_accounts=[MGMT],
    )
    discovery.apply(org.pk, listing(*BASE), timezone.now())
    return org


def test_every_page_needs_login(org):
    client = Client()
    for url in (
        reverse("organizations"),
        reverse("organization-add"),
        reverse("organization-detail", args=[org.pk]),
        reverse("organization-edit", args=[org.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url
    assert client.post(reverse("organization-discover", args=[org.pk])).status_code == 302


def test_a_viewer_sees_the_accounts_but_cannot_connect_edit_or_discover(viewer_client, org):
    page = viewer_client.get(reverse("organization-detail", args=[org.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Workloads / Production" in text and "Discover now" not in text
    assert viewer_client.get(reverse("organization-add")).status_code == 403
    assert viewer_client.post(reverse("organization-add"), FORM).status_code == 403
    assert viewer_client.get(reverse("organization-edit", args=[org.pk])).status_code == 403
    assert viewer_client.post(reverse("organization-discover", args=[org.pk])).status_code == 403
    attempted = set(
        AuditEvent.objects.filter(action="auth.denied").values_list("details__attempted", flat=True)
    )
    assert attempted == {
        "organization.added",
        "organization.changed",
        "organization.discovery_requested",
    }
    assert Organization.objects.count() == 1


def test_an_admin_connects_an_organization_and_its_discovery_is_queued(admin_client, emulator):
    """The demo's organization, managed by the hub (emulator/scenarios/demo.py): AWS
    confirms the typed management account before anything is stored."""
    hub = "123456789012"
    form = {
        **FORM,
        "management_account_id": hub,
        "role_arn": f"arn:aws:iam::{hub}:role/RolecallOrganizations",
        "external_id": "rolecall-demo",
        "exclude_text": hub,
    }
    response = admin_client.post(reverse("organization-add"), form)
    org = Organization.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{org.pk}/")
    assert org.exclude_accounts == [hub] and org.enroll == "all"
    added = AuditEvent.objects.get(action="organization.added")
    assert (
        added.actor_name == "admin"
        and added.details["organization"]["role_arn"] == form["role_arn"]
    )
    assert AuditEvent.objects.filter(action="organization.discovery_requested").count() == 1


@pytest.mark.parametrize(
    "field, value, error",
    [
        ("management_account_id", "12345", "12 digits"),
        ("role_arn", "arn:aws:iam::111111111111:role/R", "in the management account itself"),
        ("member_role_name", "bad name!", "1-64 letters"),
        ("member_change_role_name", "RolecallAudit", "This is the read role"),
        ("exclude_text", "123, 111111111111", "Not a 12-digit account id: 123"),
        ("ous_text", "ou-zz, r-ab12", "Not an OU or root id: ou-zz"),
        ("enroll", "everything", "Select a valid choice"),
    ],
)
def test_bad_input_gets_a_form_error_and_stores_nothing(admin_client, db, field, value, error):
    response = admin_client.post(reverse("organization-add"), {**FORM, field: value})
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not Organization.objects.exists()


def test_chosen_ous_need_at_least_one(admin_client, db):
    response = admin_client.post(reverse("organization-add"), {**FORM, "enroll": "ous"})
    assert response.status_code == 400 and "Name at least one OU" in response.content.decode()


def test_a_bad_state_filter_is_a_400(viewer_client, org):
    url = reverse("organization-detail", args=[org.pk])
    assert viewer_client.get(url, {"state": "DROP TABLE"}).status_code == 400
    suspended = viewer_client.get(url, {"state": "SUSPENDED"}).content.decode()
    assert "legacy" in suspended and "prod" not in suspended


def test_names_from_aws_are_shown_as_text(viewer_client, org):
    discovery.apply(
        org.pk,
        listing(*BASE, member("555555555555", "<img src=x onerror=alert(1)>")),
        timezone.now(),
    )
    text = viewer_client.get(reverse("organization-detail", args=[org.pk])).content.decode()
    assert "<img src=x" not in text and "&lt;img src=x onerror=alert(1)&gt;" in text


def test_an_operator_queues_a_discovery_and_it_is_audited(operator_client, org):
    response = operator_client.post(reverse("organization-discover", args=[org.pk]))
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="organization.discovery_requested")
    assert event.actor_name == "alice" and event.details["reason"] == "requested"
    assert operator_client.get(reverse("organization-discover", args=[org.pk])).status_code == 405


def edit_form(org: Organization, **changes) -> dict:
    return {
        **FORM,
        "exclude_text": ", ".join(org.exclude_accounts),
        "ous_text": ", ".join(org.enroll_ous),
        **changes,
    }


def test_new_member_roles_re_point_every_enrolled_account_and_say_which(admin_client, org):
    hand = Account.objects.create(aws_account_id="444444444444", name="by hand")
    url = reverse("organization-edit", args=[org.pk])
    response = admin_client.post(url, edit_form(org, member_role_name="RolecallRead"))
    assert response.status_code == 302
    prod = Account.objects.get(aws_account_id="111111111111")
    assert prod.role_arn == "arn:aws:iam::111111111111:role/RolecallRead"
    hand.refresh_from_db()
    assert hand.role_arn == ""  # added by hand: the organization's roles are not its own
    event = AuditEvent.objects.get(action="organization.changed")
    assert event.details["changes"]["member_role_name"] == {
        "old": "RolecallAudit",
        "new": "RolecallRead",
    }
    assert sorted(event.details["repointed"]) == ["111111111111", "222222222222", "333333333333"]


def test_attack_re_point_the_member_roles_while_a_deletion_waits(admin_client, org, operator):
    from roles.deletion.service import request_deletion

    staging = Account.objects.get(aws_account_id="222222222222")
    role = ServiceLinkedRole.objects.create(
        account=staging,
        name="AWSServiceRoleForECS",
        path="/aws-service-role/ecs.amazonaws.com/",
        arn="arn:aws:iam::222222222222:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS",
        role_id="AROAEXAMPLE",
        service_principal="ecs.amazonaws.com",
        aws_created_at=timezone.now(),
    )
    request_deletion(role, user=operator)
    url = reverse("organization-edit", args=[org.pk])
    response = admin_client.post(url, edit_form(org, member_change_role_name="Elsewhere"))
    assert response.status_code == 409
    assert "cannot change while 1 deletion request(s)" in response.content.decode()
    staging.refresh_from_db()
    assert staging.change_role_arn.endswith(":role/RolecallChange")
    refused = AuditEvent.objects.get(action="organization.changed")
    assert refused.outcome == "denied"


def test_editing_needs_a_fresh_password(admin_client, org):
    session = admin_client.session
    session[REAUTH_AT] = time.time() - 11 * 60
    session.save()
    url = reverse("organization-edit", args=[org.pk])
    response = admin_client.post(url, edit_form(org, member_role_name="RolecallRead"))
    assert response.status_code == 302 and "/reauth/" in response["Location"]
    assert Account.objects.get(aws_account_id="111111111111").role_arn.endswith("/RolecallAudit")


def test_a_paused_account_refuses_refresh_deletion_and_changes(operator_client, org):
    discovery.apply(
        org.pk,
        listing(
            *[m for m in BASE if m.id != "222222222222"],
            member("222222222222", "staging", "", "SUSPENDED"),
        ),
        timezone.now(),
    )
    staging = Account.objects.get(aws_account_id="222222222222")
    assert staging.paused == "SUSPENDED"
    response = operator_client.post(reverse("account-refresh", args=[staging.pk]))
    assert response.status_code == 409
    assert "its organization lists it as suspended" in response.content.decode()
    page = operator_client.get(reverse("account-detail", args=[staging.pk])).content.decode()
    assert 'data-testid="paused"' in page and 'data-testid="refresh"' not in page
    role = ServiceLinkedRole(account=staging, path="/aws-service-role/ecs.amazonaws.com/")
    with pytest.raises(DeletionRefused, match="is not synced"):
        refuse_unless_deletable(role)
    listed = operator_client.get(reverse("accounts")).content.decode()
    assert "not synced: suspended" in listed
    assert MemberAccount.objects.get(aws_account_id="222222222222").account == staging


def test_the_organization_page_makes_the_same_queries_for_5_and_150_accounts(viewer_client, org):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("organization-detail", args=[org.pk])

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert viewer_client.get(url).status_code == 200
        return len(ctx.captured_queries)

    queries()  # the first request of a session also reads it
    few = queries()
    more = [member(f"{600000000000 + n}", f"team-{n:03d}", "ou-ab12-sand0001") for n in range(145)]
    discovery.apply(org.pk, listing(*BASE, *more), timezone.now())
    assert MemberAccount.objects.count() == 150
    assert queries() == few

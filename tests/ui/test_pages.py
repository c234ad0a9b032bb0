"""Overview, accounts and roles pages against synced demo data."""

import csv
import io
import json

import pytest
from django.urls import reverse

from roles.models import Account, AuditEvent, ServiceLinkedRole, SyncRun
from tests.support.sync import REGIONS

# The SQLite pass of .ci/run runs this module too (docs/testing.md).
pytestmark = pytest.mark.engine

# What something still holds in the demo (emulator/scenarios/demo.py, add_resources and
# PROD_CLUSTERS): 10 roles in prod, 6 in the hub, none in staging. The hub manages an
# organization with all features, which keeps its Organizations role for good.
BLOCKED_IN_DEMO = [
    ("acme-prod", "AWSServiceRoleForECS"),
    ("acme-prod", "AWSServiceRoleForElasticLoadBalancing"),
    ("acme-prod", "AWSServiceRoleForAutoScaling"),
    ("acme-prod", "AWSServiceRoleForAutoScaling_batch"),
    ("acme-prod", "AWSServiceRoleForRDS"),
    ("acme-prod", "AWSServiceRoleForElastiCache"),
    ("acme-prod", "AWSServiceRoleForAmazonEKS"),
    ("acme-prod", "AWSServiceRoleForAmazonGuardDuty"),
    ("acme-prod", "AWSServiceRoleForConfig"),
    ("acme-prod", "AWSServiceRoleForSecurityHub"),
    ("security-hub", "AWSServiceRoleForAmazonGuardDuty"),
    ("security-hub", "AWSServiceRoleForConfig"),
    ("security-hub", "AWSServiceRoleForSecurityHub"),
    ("security-hub", "AWSServiceRoleForAccessAnalyzer"),
    ("security-hub", "AWSServiceRoleForSSO"),
]
# Resources found, yet not "blocked": AWS does not allow deleting it while the
# organization has all features, whatever is cleaned up.
NOT_DELETABLE_WITH_BLOCKERS = ("security-hub", "AWSServiceRoleForOrganizations")


def names(response) -> list[str]:
    return [r.name for r in response.context["page"]]


def test_overview_counts(viewer_client, synced):
    response = viewer_client.get(reverse("overview"))
    assert response.status_code == 200
    counts = response.context["counts"]
    # emulator/scenarios/demo.py: 33 service-linked roles (9 hub, 14 prod, 10 staging).
    assert counts["total"] == ServiceLinkedRole.objects.count() == 33
    assert counts["blocked"] == len(BLOCKED_IN_DEMO) == 15
    assert counts["in_use"] + counts["unused"] == counts["total"]
    assert b"acme-prod" in response.content


def test_blocked_is_one_number_on_the_overview_the_roles_list_and_the_api(
    viewer_client, viewer, synced
):
    """Two numbers used to sit side by side: "with blockers" (any resource found) and
    the verdict "blocked". A role with resources that AWS will not delete anyway
    (not deletable) and a deleted role that kept its blocker count made them differ."""
    from tests.support.api import token_for

    hub_org = ServiceLinkedRole.objects.get(
        account__name=NOT_DELETABLE_WITH_BLOCKERS[0], name=NOT_DELETABLE_WITH_BLOCKERS[1]
    )
    assert (hub_org.verdict, hub_org.blocker_count > 0) == ("not_deletable", True)
    gone = ServiceLinkedRole.objects.get(account__name="acme-prod", name="AWSServiceRoleForRDS")
    ServiceLinkedRole.objects.filter(pk=gone.pk).update(state=ServiceLinkedRole.State.DELETED)
    from roles.inventory import summary

    summary.summarise(Account.objects.all())
    blocked = sorted(set(BLOCKED_IN_DEMO) - {("acme-prod", "AWSServiceRoleForRDS")})

    overview = viewer_client.get(reverse("overview"))
    counts = overview.context["counts"]
    assert counts["blocked"] == counts["verdicts"]["blocked"] == len(blocked)
    html = overview.content.decode()
    assert f'<div class="n">{len(blocked)}</div>blocked</a>' in html
    assert 'href="/roles/?verdict=blocked"' in html
    for params in ({"has_blockers": "yes"}, {"verdict": "blocked"}):
        page = viewer_client.get(reverse("roles"), params).context["page"]
        assert sorted((r.account.name, r.name) for r in page) == blocked, params
    not_blocked = viewer_client.get(reverse("roles"), {"has_blockers": "no"}).context["page"]
    assert hub_org.pk in {r.pk for r in not_blocked}
    api = token_for(viewer, scope="read")
    for params in ({"has_blockers": "yes"}, {"verdict": "blocked"}):
        body = api.get("/api/v1/roles/", {**params, "page_size": 100}).json()
        assert sorted((r["account_name"], r["name"]) for r in body["results"]) == blocked
    assert api.get("/api/v1/overview/").json()["blocked"] == len(blocked)


def test_roles_list_filters_and_search(viewer_client, synced):
    prod = Account.objects.get(name="acme-prod")
    # demo.ROLES[PROD]: 14 roles, AWSServiceRoleForAmazonEKS among them.
    assert len(names(viewer_client.get(reverse("roles"), {"account": prod.pk}))) == 14
    page = viewer_client.get(reverse("roles"), {"has_blockers": "yes"}).context["page"]
    blocked = sorted((r.account.name, r.name) for r in page)
    assert blocked == sorted(BLOCKED_IN_DEMO)
    found = viewer_client.get(reverse("roles"), {"q": "staging", "service": "ecs"})
    assert [(r.name, r.account.name) for r in found.context["page"]] == [
        ("AWSServiceRoleForECS", "acme-staging")
    ]
    unused = viewer_client.get(reverse("roles"), {"unused_days": 400}).context["page"]
    # The demo's two never-used roles; every other one was used within the year.
    assert sorted((r.account.name, r.name, r.last_used_at) for r in unused) == [
        ("acme-prod", "AWSServiceRoleForEC2Spot", None),
        ("acme-staging", "AWSServiceRoleForElastiCache", None),
    ]


def test_roles_list_shows_not_accessed_for_untracked_roles(viewer_client, synced):
    response = viewer_client.get(reverse("roles"), {"unused_days": 400})
    assert b"Not accessed in the tracking period" in response.content


@pytest.mark.parametrize(
    "sort", ["service", "-name", "last_used", "-last_used", "blockers", "-state"]
)
def test_roles_list_sorts_by_any_column(viewer_client, synced, sort):
    response = viewer_client.get(reverse("roles"), {"sort": sort})
    assert response.status_code == 200
    assert len(names(response)) == 33  # every demo role (emulator/scenarios/demo.py)


def test_roles_list_refuses_bad_filters_with_a_form_error(viewer_client, synced):
    response = viewer_client.get(reverse("roles"), {"unused_days": "-4", "sort": "evil"})
    assert response.status_code == 400
    assert b"Ensure this value is greater than or equal to 0" in response.content


def test_roles_list_query_count_does_not_grow_with_rows(
    viewer_client, synced, django_assert_num_queries
):
    viewer_client.get(reverse("overview"))  # the first request after sign-in also saves the session
    # session, user, groups, badge, the services offered, the count (from the accounts'
    # summaries), the page
    with django_assert_num_queries(7) as before:
        viewer_client.get(reverse("roles"))
    account = Account.objects.get(name="acme-staging")
    ServiceLinkedRole.objects.bulk_create(
        ServiceLinkedRole(
            account=account,
            arn=f"arn:aws:iam::222222222222:role/aws-service-role/s{n}.amazonaws.com/R{n}",
            name=f"R{n}",
            path=f"/aws-service-role/s{n}.amazonaws.com/",
            service_principal=f"s{n}.amazonaws.com",
        )
        for n in range(40)
    )
    with django_assert_num_queries(len(before.captured_queries)):
        response = viewer_client.get(reverse("roles"))
    assert len(names(response)) == 50


def test_roles_export_csv_and_json_follow_the_filters(viewer_client, synced):
    params = {"has_blockers": "no", "q": "acme-staging"}
    shown = sorted(names(viewer_client.get(reverse("roles"), params)))
    response = viewer_client.get(reverse("role-export", args=["csv"]), params)
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert sorted(r["name"] for r in rows) == shown
    data = json.loads(
        b"".join(viewer_client.get(reverse("role-export", args=["json"]), params).streaming_content)
    )
    assert sorted(r["name"] for r in data) == shown


def test_role_detail_shows_blockers_per_region_and_the_verdict(
    viewer_client, synced, django_assert_max_num_queries
):
    role = ServiceLinkedRole.objects.get(account__name="acme-prod", name="AWSServiceRoleForECS")
    viewer_client.get(reverse("overview"))  # the first request after sign-in also saves the session
    with django_assert_max_num_queries(15):  # 15th: an active cleanup plan, for every user
        response = viewer_client.get(reverse("role-detail", args=[role.pk]))
    html = response.content.decode()
    assert "Blocked in 3 regions." in html
    for region in REGIONS:
        assert f">{region}<" in html
    assert "ECSTaskManagement" in html
    assert "RoleUsageList" in html


def test_descriptions_from_aws_are_escaped(viewer_client, synced):
    role = ServiceLinkedRole.objects.get(
        account__name="acme-staging", name="AWSServiceRoleForElastiCache"
    )
    assert "<script>" in role.description
    html = viewer_client.get(reverse("role-detail", args=[role.pk])).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_unknown_role_is_404(viewer_client, db):
    assert viewer_client.get(reverse("role-detail", args=[999])).status_code == 404


class TestAccounts:
    def test_admin_adds_an_account(self, admin_client):
        response = admin_client.post(
            reverse("account-add"),
            {
                "aws_account_id": "333333333333",
                "name": "acme-dev",
                "role_arn": "arn:aws:iam::333333333333:role/RolecallAudit",
                "external_id": "x",
                "regions_text": "us-east-1, eu-west-1",
                "enabled": "on",
            },
        )
        account = Account.objects.get(aws_account_id="333333333333")
        assert response.status_code == 302
        assert account.regions == ["eu-west-1", "us-east-1"]
        event = AuditEvent.objects.get(action="account.added")
        assert event.account_id == "333333333333" and event.actor_name == "admin"

    @pytest.mark.parametrize(
        "field, value, message",
        [
            ("aws_account_id", "12345", "An AWS account id is 12 digits."),
            ("role_arn", "arn:aws:iam::nope", "Enter a role ARN"),
            ("regions_text", "us-east-1, mars-north-1", "Unknown region: mars-north-1."),
            (
                "role_arn",
                "arn:aws:iam::999999999999:role/X",
                "The role must be in the account itself.",
            ),
        ],
    )
    def test_validation_errors_show_on_the_form(self, admin_client, field, value, message):
        data = {"aws_account_id": "333333333333", "name": "acme-dev", "enabled": "on", field: value}
        response = admin_client.post(reverse("account-add"), data)
        assert response.status_code == 400
        assert message in response.content.decode()
        assert not Account.objects.exists()

    @pytest.mark.parametrize(
        "regions, role, message",
        [
            ("us-east-1, us-gov-west-1", "", "different AWS partitions (aws, aws-us-gov)"),
            ("us-gov-west-1", "arn:aws:iam::333333333333:role/R", "in the aws-us-gov partition"),
            ("us-east-1", "arn:aws-us-gov:iam::333333333333:role/R", "the role is in aws-us-gov."),
        ],
    )
    def test_an_account_scans_the_regions_of_one_partition(
        self, admin_client, regions, role, message
    ):
        """DescribeRegions answers one partition's regions (docs/readiness.md): a list that
        mixes them, or one the role's partition cannot reach, is refused."""
        data = {"aws_account_id": "333333333333", "name": "acme-dev", "enabled": "on"}
        data |= {"regions_text": regions, "role_arn": role}
        response = admin_client.post(reverse("account-add"), data)
        assert response.status_code == 400
        assert message in response.content.decode()
        assert not Account.objects.exists()

    def test_edit_records_old_and_new_values(self, admin_client, demo_accounts):
        prod = demo_accounts["acme-prod"]
        admin_client.post(
            reverse("account-edit", args=[prod.pk]),
            {
                "aws_account_id": prod.aws_account_id,
                "name": "acme-production",
                "role_arn": prod.role_arn,
                "change_role_arn": prod.change_role_arn,
                "external_id": prod.external_id,
                "regions_text": "",
                "production": "on",
                "enabled": "on",
            },
        )
        event = AuditEvent.objects.get(action="account.changed")
        assert event.details["changes"] == {"name": {"old": "acme-prod", "new": "acme-production"}}

    @pytest.mark.parametrize("url", ["account-add", "account-edit"])
    def test_operators_cannot_change_accounts(self, operator_client, demo_accounts, url):
        args = [] if url == "account-add" else [demo_accounts["acme-prod"].pk]
        response = operator_client.post(reverse(url, args=args), {"name": "x"})
        assert response.status_code == 403
        assert AuditEvent.objects.filter(action="auth.denied", outcome="denied").count() == 1

    def test_test_connection_shows_the_caller(self, operator_client, emulator, demo_accounts):
        response = operator_client.post(
            reverse("account-test", args=[demo_accounts["acme-prod"].pk])
        )
        html = response.content.decode()
        assert "Connected as" in html and "111111111111" in html
        event = AuditEvent.objects.get(action="account.connection_tested")
        assert event.outcome == "success" and event.aws_request_id

    def test_test_connection_shows_the_aws_error_code_and_request_id(
        self, operator_client, emulator, demo_accounts
    ):
        prod = demo_accounts["acme-prod"]
        Account.objects.filter(pk=prod.pk).update(external_id="wrong")
        html = operator_client.post(reverse("account-test", args=[prod.pk])).content.decode()
        event = AuditEvent.objects.get(action="account.connection_tested")
        assert "Connection failed" in html and "AccessDenied" in html
        assert event.aws_request_id and event.aws_request_id in html
        assert event.outcome == "failure"

    def test_refresh_starts_one_sync_and_viewers_are_refused(
        self, operator_client, viewer_client, demo_accounts
    ):
        prod = demo_accounts["acme-prod"]
        assert viewer_client.post(reverse("account-refresh", args=[prod.pk])).status_code == 403
        operator_client.post(reverse("account-refresh", args=[prod.pk]))
        operator_client.post(reverse("account-refresh", args=[prod.pk]))
        assert SyncRun.objects.filter(account=prod).count() == 1

    def test_refresh_is_post_only(self, operator_client, demo_accounts):
        assert (
            operator_client.get(
                reverse("account-refresh", args=[demo_accounts["acme-prod"].pk])
            ).status_code
            == 405
        )

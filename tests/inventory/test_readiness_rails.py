"""The verdict can be trusted: what rolecall could not read is never called deletable, a
blocker that appears after approval voids it, an organization with all features keeps
its role, and the list, the overview and the cleanup steps say what the sync found."""

from __future__ import annotations

import csv
import io
import json

from django.urls import reverse

from roles.deletion.service import decide, request_deletion
from roles.inventory.readiness import VERDICTS, readiness
from roles.models import DeletionRequest, ServiceLinkedRole, ServiceRegion
from tests.support.aws import client
from tests.support.drive import drive_deletion
from tests.support.sync import sync_now

PROD, STAGING, HUB = "111111111111", "222222222222", "123456789012"
ELB = "AWSServiceRoleForElasticLoadBalancing"
DELETE = "iam:DeleteServiceLinkedRole"


def role(account_id: str, name: str) -> ServiceLinkedRole:
    return ServiceLinkedRole.objects.get(account__aws_account_id=account_id, name=name)


def page(client_, item: ServiceLinkedRole) -> str:
    return client_.get(reverse("role-detail", args=[item.pk])).content.decode()


def deny_load_balancers(emulator, region: str) -> None:
    emulator.control.add_faults(
        {"operation": "elasticloadbalancing:*", "region": region, "error": "AccessDenied"}
    )


def test_a_free_role_with_a_region_that_could_not_be_read_is_never_called_deletable(
    sync_demo, emulator, viewer_client
):
    accounts = sync_demo("acme-staging")
    deny_load_balancers(emulator, "eu-west-1")
    run = sync_now(accounts["acme-staging"])
    assert run.status == "partial"
    assert any("eu-west-1" in key and "elasticloadbalancing" in key for key in run.region_errors)
    elb = role(STAGING, ELB)
    assert elb.verdict == "unknown"
    html = page(viewer_client, elb)
    assert "Cannot tell: 1 region could not be checked in the last sync." in html
    assert "Can be deleted now" not in html
    error = html.split("eu-west-1 could not be checked:")[1].split("</div>")[0]
    assert "AccessDenied" in error
    stale = ServiceRegion.objects.get(
        account=elb.account, principal="elasticloadbalancing.amazonaws.com", region="eu-west-1"
    )
    assert stale.stale and stale.error["code"] == "AccessDenied" and stale.error["request_id"]
    assert stale.error["request_id"] in html
    # The account says so where an operator looks first.
    overview = viewer_client.get(reverse("overview")).content.decode()
    assert "1 stale service read(s)" in overview
    detail = viewer_client.get(reverse("account-detail", args=[elb.account.pk])).content.decode()
    table = detail.split('data-testid="stale-reads"')[1].split("</table>")[0]
    assert "Elastic Load Balancing" in table and "eu-west-1" in table and "AccessDenied" in table


def test_a_region_that_fails_keeps_the_blockers_it_had(sync_demo, emulator, viewer_client):
    accounts = sync_demo("acme-prod")
    for region in ("us-east-1", "eu-west-1"):
        v2 = client("elbv2", PROD, region)
        for lb in v2.describe_load_balancers()["LoadBalancers"]:
            v2.delete_load_balancer(LoadBalancerArn=lb["LoadBalancerArn"])
    deny_load_balancers(emulator, "us-east-1")
    sync_now(accounts["acme-prod"])
    elb = role(PROD, ELB)
    verdict = readiness(elb)
    # us-east-1 could not be read: its ALB is kept (stale); eu-west-1 still has the Classic.
    assert verdict.verdict == "blocked"
    assert [(r.region, [i.name for i in r.items]) for r in verdict.usage.blocked] == [
        ("eu-west-1", ["legacy-web"]),
        ("us-east-1", ["storefront-alb"]),
    ]
    assert "Blocked in 2 regions; 1 region could not be checked." in page(viewer_client, elb)


def test_an_organization_with_all_features_keeps_its_role_and_rolecall_refuses_to_ask(
    sync_demo, emulator, operator_client
):
    # The demo's hub manages an organization with all features (emulator/scenarios/demo.py).
    assert client("organizations", HUB).describe_organization()["Organization"]["FeatureSet"] == (
        "ALL"
    )
    sync_demo("security-hub")
    org = role(HUB, "AWSServiceRoleForOrganizations")
    assert org.verdict == "not_deletable"
    text = (
        "AWS does not allow deleting this role: this account&#x27;s organization has all "
        "features enabled, and after that the AWSServiceRoleForOrganizations role cannot be "
        "deleted from any account."
    )
    html = page(operator_client, org)
    assert text in html
    assert reverse("role-delete", args=[org.pk]) not in html
    url = reverse("role-delete", args=[org.pk])
    for response in (
        operator_client.get(url),
        operator_client.post(url, {"confirm_name": org.name}),
    ):
        assert response.status_code == 409
    assert not org.deletions.exists()
    assert emulator.control.calls()["operations"].get(DELETE, 0) == 0


def test_consolidated_billing_leaves_the_organizations_role_deletable(sync_demo, emulator):
    """The hub's organization replaced by one with consolidated billing only."""
    organizations = client("organizations", HUB)
    for account in organizations.list_accounts()["Accounts"]:
        if account["Id"] != HUB:
            organizations.remove_account_from_organization(AccountId=account["Id"])
    organizations.delete_organization()
    organizations.create_organization(FeatureSet="CONSOLIDATED_BILLING")
    sync_demo("security-hub")
    org = role(HUB, "AWSServiceRoleForOrganizations")
    assert org.verdict == "ready"
    assert readiness(org).text == (
        "Can be deleted now: the account's organization has consolidated billing only."
    )


def test_attack_a_blocker_created_after_approval_voids_it_before_anything_is_sent(
    sync_demo, emulator, operator, approver, settings
):
    settings.ROLECALL_REQUIRE_APPROVAL = True
    sync_demo("acme-staging")
    elb = role(STAGING, ELB)
    assert elb.verdict == "ready"
    deletion = request_deletion(elb, user=operator).request
    decide(deletion, user=approver, approve=True, version=deletion.evidence_version, comment="ok")
    # Someone creates a load balancer between the approval and the submit.
    ec2 = client("ec2", STAGING, "eu-west-1")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.9.{n}.0/24", AvailabilityZone=f"eu-west-1{z}")
        for n, z in ((1, "a"), (2, "b"))
    ]
    lb = client("elbv2", STAGING, "eu-west-1").create_load_balancer(
        Name="late-alb", Subnets=[s["Subnet"]["SubnetId"] for s in subnets]
    )["LoadBalancers"][0]
    emulator.control.reset_calls()
    deletion = drive_deletion(deletion)
    assert deletion.state == DeletionRequest.State.AWAITING_APPROVAL
    assert deletion.approved_by is None
    assert deletion.voided_changes == [
        {"field": "blockers", "approved": [], "now": [f"eu-west-1 {lb['LoadBalancerArn']}"]}
    ]
    assert emulator.control.calls()["operations"].get(DELETE, 0) == 0


def test_the_list_filters_by_verdict_and_the_overview_counts_each(sync_demo, viewer_client):
    sync_demo()
    live = ServiceLinkedRole.objects.live()
    overview = viewer_client.get(reverse("overview")).content.decode()
    seen = 0
    for verdict in VERDICTS:
        expected = sorted(live.filter(verdict=verdict).values_list("arn", flat=True))
        count = overview.split(f'data-testid="verdict-{verdict}"')[1].split("</div>")[0]
        assert count.endswith(f">{len(expected)}")
        html = viewer_client.get(reverse("roles"), {"verdict": verdict}).content.decode()
        assert f"{len(expected)} role{'' if len(expected) == 1 else 's'}" in html
        seen += len(expected)
    # Every live role has exactly one verdict, and each kind occurs in the demo.
    assert seen == live.count()
    assert all(live.filter(verdict=v).exists() for v in VERDICTS if v != "unknown")


def test_a_verdict_the_list_does_not_know_is_a_form_error(viewer_client, db):
    response = viewer_client.get(reverse("roles"), {"verdict": "safe"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_the_cleanup_steps_of_a_database_role_are_a_dry_run_in_order_with_exports(
    sync_demo, viewer_client, emulator
):
    sync_demo("acme-prod")
    rds = role(PROD, "AWSServiceRoleForRDS")
    url = reverse("role-cleanup-steps", args=[rds.pk])
    html = viewer_client.get(url).content.decode()
    assert "rolecall does not remove these resources" in html
    assert "Some of them hold data (databases, caches)" in html
    steps = html.split('data-testid="steps"')[1]
    # Region by region: eu-west-1's DB instance, then us-east-1's Aurora cluster.
    assert steps.index("orders-db") < steps.index("ledger-aurora")
    assert "rds:DeleteDBInstance(DBInstanceIdentifier=orders-db)" in steps
    assert "rds:DeleteDBCluster(DBClusterIdentifier=ledger-aurora)" in steps
    assert "first: rds:DeleteDBInstance for each of its DB instances" in steps
    assert (
        "https://eu-west-1.console.aws.amazon.com/rds/home?region=eu-west-1#database:id=orders-db"
        in steps
    )
    exported = viewer_client.get(reverse("role-cleanup-steps-export", args=[rds.pk, "csv"]))
    rows = list(csv.DictReader(io.StringIO(b"".join(exported.streaming_content).decode())))
    assert [(r["step"], r["region"], r["name"]) for r in rows] == [
        ("1", "eu-west-1", "orders-db"),
        ("2", "us-east-1", "ledger-aurora"),
    ]
    data = json.loads(
        b"".join(
            viewer_client.get(
                reverse("role-cleanup-steps-export", args=[rds.pk, "json"])
            ).streaming_content
        )
    )
    assert [(d["kind"], d["holds_data"]) for d in data] == [
        ("DB instance", True),
        ("DB cluster", True),
    ]
    # Reading the steps sends nothing to AWS.
    assert emulator.control.calls()["total"] == 0


def test_the_cleanup_steps_of_the_ecs_role_lead_to_its_executable_cleanup(sync_demo, viewer_client):
    sync_demo("acme-prod")
    ecs = role(PROD, "AWSServiceRoleForECS")
    response = viewer_client.get(reverse("role-cleanup-steps", args=[ecs.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("role-detail", args=[ecs.pk])


def test_a_blocked_role_page_costs_the_same_queries_as_the_ecs_one(
    sync_demo, viewer_client, django_assert_max_num_queries
):
    sync_demo("acme-prod")
    rds = role(PROD, "AWSServiceRoleForRDS")
    viewer_client.get(reverse("overview"))  # the first request after sign-in saves the session
    with django_assert_max_num_queries(15):  # as tests/ui/test_pages.py allows the ECS role
        html = page(viewer_client, rds)
    assert "Blocked in 2 regions." in html


def test_an_account_scanning_every_region_says_so_without_the_caveat(sync_demo, emulator):
    """Regions left blank: every region DescribeRegions returns is read, and the verdict
    names how many; an account narrowed to some regions says AWS checks them all."""
    accounts = sync_demo("acme-staging")
    staging = accounts["acme-staging"]
    staging.regions = []
    staging.save(update_fields=["regions"])
    sync_now(staging)
    elb = role(STAGING, ELB)
    every = len(client("ec2", STAGING).describe_regions()["Regions"])
    assert readiness(elb).text == (
        f"Can be deleted now: no load balancer in any of the {every} regions read. "
        "Target groups are not read: the guide names them only as creating this role, and "
        "only load balancers as blocking its deletion."
    )


def test_a_region_added_to_the_account_is_not_read_yet_and_nothing_is_ready_there(
    sync_demo, admin_client, viewer_client
):
    """Regions added by an edit have no read until the next sync: no verdict may lean on
    them, in the page or in the stored verdict the list filters on."""
    staging = sync_demo("acme-staging")["acme-staging"]
    elb = role(STAGING, ELB)
    assert elb.verdict == "ready"
    form = {
        "aws_account_id": staging.aws_account_id,
        "name": staging.name,
        "role_arn": staging.role_arn,
        "external_id": staging.external_id,
        "regions_text": ", ".join([*staging.regions, "sa-east-1"]),
        "enabled": "on",
    }
    response = admin_client.post(reverse("account-edit", args=[staging.pk]), form)
    assert response.status_code == 302
    elb.refresh_from_db()
    assert elb.verdict == "unknown"
    html = page(viewer_client, elb)
    assert "Cannot tell: 1 region could not be checked in the last sync." in html
    assert "NotReadYet" in html and "sa-east-1" in html

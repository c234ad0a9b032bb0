"""Verdicts that say what AWS's own pages say (docs/readiness.md): an account in no
organization is not checked, consolidated billing carries AWS's own caution, organization
event data stores and what IAM Identity Center keeps in the account block, and a free
load balancer role says that target groups are not read."""

from __future__ import annotations

from django.urls import reverse

from roles.inventory.readiness import readiness
from roles.models import ServiceLinkedRole
from tests.support.api import token_for
from tests.support.aws import client
from tests.support.sync import sync_now

PROD, STAGING, HUB = "111111111111", "222222222222", "123456789012"
ORGANIZATIONS, CLOUDTRAIL, SSO = (
    "AWSServiceRoleForOrganizations",
    "AWSServiceRoleForCloudTrail",
    "AWSServiceRoleForSSO",
)
CAUTION = (
    "Although we don&#x27;t recommend it, if your organization has only consolidated billing "
    "features enabled, the service-linked role named AWSServiceRoleForOrganizations is never "
    "used, and you can delete it."
)
SOURCE = "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_integrate_services.html"


def role(account_id: str, name: str) -> ServiceLinkedRole:
    return ServiceLinkedRole.objects.get(account__aws_account_id=account_id, name=name)


def page(client_, item: ServiceLinkedRole, view: str = "role-detail") -> str:
    return client_.get(reverse(view, args=[item.pk])).content.decode()


def api_evidence(user, item: ServiceLinkedRole) -> dict:
    answer = token_for(user, scope="read").get(f"/api/v1/roles/{item.pk}/")
    assert answer.status_code == 200, answer.content
    return answer.json()["evidence"]


def leave_organization(feature_set: str | None) -> None:
    """The hub's organization dissolved; with a feature set, one made again with it."""
    organizations = client("organizations", HUB)
    for account in organizations.list_accounts()["Accounts"]:
        if account["Id"] != HUB:
            organizations.remove_account_from_organization(AccountId=account["Id"])
    organizations.delete_organization()
    if feature_set:
        organizations.create_organization(FeatureSet=feature_set)


def test_an_account_in_no_organization_is_not_checked_and_says_why(
    sync_demo, emulator, operator, operator_client
):
    leave_organization(None)
    sync_demo("security-hub")
    org = role(HUB, ORGANIZATIONS)
    verdict = readiness(org)
    assert (org.verdict, verdict.verdict) == ("not_checked", "not_checked")
    text = (
        "Not checked: the account is in no organization. AWS documents when this role can be "
        "deleted only for an organization with all features (never) or with consolidated "
        "billing only (it can be). AWS will check when you delete."
    )
    assert verdict.text == text
    assert verdict.usage.role_usage_list() == [] and verdict.usage.blocker_count == 0
    for view in ("role-detail", "role-delete"):
        html = page(operator_client, org, view)
        assert "Not checked: the account is in no organization." in html
        assert "Can be deleted now" not in html
    evidence = api_evidence(operator, org)
    assert (evidence["verdict"], evidence["verdict_text"]) == ("not_checked", text)


def test_consolidated_billing_is_deletable_with_aws_own_caution_everywhere_it_is_shown(
    sync_demo, emulator, operator, operator_client
):
    leave_organization("CONSOLIDATED_BILLING")
    sync_demo("security-hub")
    org = role(HUB, ORGANIZATIONS)
    verdict = readiness(org)
    assert (org.verdict, verdict.verdict) == ("ready", "ready")
    assert verdict.text == (
        "Can be deleted now: the account's organization has consolidated billing only."
    )
    for view in ("role-detail", "role-delete"):
        html = page(operator_client, org, view)
        warning = html.split('data-testid="verdict-warning"')[1].split("</div>")[0]
        assert CAUTION in warning and f'href="{SOURCE}"' in warning
    evidence = api_evidence(operator, org)
    assert evidence["verdict"] == "ready"
    assert CAUTION.replace("&#x27;", "'") in evidence["verdict_warning"]
    assert evidence["verdict_warning_source"] == SOURCE
    # The state is not a resource: nothing for AWS to report, nothing to clean up.
    assert verdict.usage.role_usage_list() == []
    assert 'data-testid="blockers"' not in page(operator_client, org)
    # The deletion asked on that verdict keeps the caution in its evidence, and its page
    # shows it, quoted and cited, to whoever approves or reads it later.
    asked = operator_client.post(reverse("role-delete", args=[org.pk]), {"confirm_name": org.name})
    assert asked.status_code == 302, asked.content
    html = operator_client.get(asked["Location"]).content.decode()
    warning = html.split('data-testid="verdict-warning"')[1].split("</div>")[0]
    assert CAUTION in warning and f'href="{SOURCE}"' in warning


def test_an_organization_event_data_store_blocks_the_cloudtrail_role(
    sync_demo, emulator, operator_client
):
    """The hub (the management account) has one store of its own events (demo); an
    organization store added in eu-west-1 blocks, in that region only."""
    sync_demo("security-hub")
    trail = role(HUB, CLOUDTRAIL)
    assert trail.verdict == "not_checked"
    assert readiness(trail).text.startswith(
        "Not checked: no organization trail or organization event data store in any of the "
        "3 regions read"
    )
    cloudtrail = client("cloudtrail", HUB, "eu-west-1")
    store = cloudtrail.create_event_data_store(Name="org-lake", OrganizationEnabled=True)
    sync_now(trail.account)
    trail.refresh_from_db()
    verdict = readiness(trail)
    assert (trail.verdict, verdict.verdict) == ("blocked", "blocked")
    assert verdict.usage.role_usage_list() == [
        {"Region": "eu-west-1", "Resources": [store["EventDataStoreArn"]]}
    ]
    html = page(operator_client, trail)
    assert "Blocked in 1 region." in html
    assert "Organization event data store" in html.split('data-testid="blockers"')[1]
    assert "<code>cloudtrail:ListEventDataStores</code>" in html
    # AWS agrees: the deletion task names the store.
    iam = client("iam", HUB)
    task = iam.delete_service_linked_role(RoleName=CLOUDTRAIL)["DeletionTaskId"]
    for _ in range(5):
        status = iam.get_service_linked_role_deletion_status(DeletionTaskId=task)
        if status["Status"] == "FAILED":
            break
    assert status["Reason"]["RoleUsageList"] == verdict.usage.role_usage_list()
    cloudtrail.delete_event_data_store(EventDataStore=store["EventDataStoreArn"])
    sync_now(trail.account)
    trail.refresh_from_db()
    assert trail.verdict == "not_checked"


def test_what_identity_center_keeps_in_the_account_blocks_its_role(
    sync_demo, emulator, operator_client
):
    """The demo hub holds a permission set's AWSReservedSSO_ role and an AWSSSO_ SAML
    provider (emulator/scenarios/demo.py); with both gone, the organization's assignments
    are still unseen."""
    sync_demo("security-hub")
    sso = role(HUB, SSO)
    verdict = readiness(sso)
    assert (sso.verdict, verdict.verdict) == ("blocked", "blocked")
    [usage] = verdict.usage.role_usage_list()
    assert usage["Region"] == "global"
    assert [arn.split(":", 5)[5] for arn in usage["Resources"]] == [
        "role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccess_5f1d0c2b9a7e4e31",
        "saml-provider/AWSSSO_a1b2c3d4e5f60718_DO_NOT_DELETE",
    ]
    html = page(operator_client, sso)
    assert "Blocked in the account." in html
    blockers = html.split('data-testid="blockers"')[1]
    assert "Identity Center role" in blockers and "Identity Center SAML provider" in blockers

    iam = client("iam", HUB)
    iam.delete_role(RoleName="AWSReservedSSO_AdministratorAccess_5f1d0c2b9a7e4e31")
    iam.delete_saml_provider(SAMLProviderArn=usage["Resources"][1])
    sync_now(sso.account)
    sso.refresh_from_db()
    assert sso.verdict == "not_checked"
    assert readiness(sso).text == (
        "Not checked: no Identity Center role (path /aws-reserved/sso.amazonaws.com/) and no "
        "AWSSSO_ SAML provider in the account, but the user and group assignments and "
        "permission sets for this account are kept in the organization's Identity Center, "
        "which cannot be read from the account. AWS will check when you delete."
    )


def test_a_free_load_balancer_role_says_target_groups_are_not_read(
    sync_demo, emulator, viewer_client
):
    sync_demo("acme-staging")
    elb = role(STAGING, "AWSServiceRoleForElasticLoadBalancing")
    assert elb.verdict == "ready"
    assert (
        page(viewer_client, elb).count(
            "Target groups are not read: the guide names them only as creating this role, and "
            "only load balancers as blocking its deletion."
        )
        == 1
    )


def test_serverless_caches_are_served_page_by_page_and_each_one_blocks(
    sync_demo, emulator, operator_client
):
    """Three serverless caches in prod's us-east-1 (one from the demo)."""
    sync_demo("acme-prod")
    elasticache = client("elasticache", PROD)
    for name in ("orders-serverless", "search-serverless"):
        elasticache.create_serverless_cache(ServerlessCacheName=name, Engine="valkey")
    first = elasticache.describe_serverless_caches(MaxResults=2)
    rest = elasticache.describe_serverless_caches(MaxResults=2, NextToken=first["NextToken"])
    assert "NextToken" not in rest
    names = [c["ServerlessCacheName"] for c in first["ServerlessCaches"] + rest["ServerlessCaches"]]
    assert names == ["carts-serverless", "orders-serverless", "search-serverless"]
    cache = role(PROD, "AWSServiceRoleForElastiCache")
    sync_now(cache.account)
    [usage] = readiness(cache).usage.role_usage_list()
    serverless = [arn for arn in usage["Resources"] if ":serverlesscache:" in arn]
    assert [arn.rsplit(":", 1)[-1] for arn in serverless] == names
    assert "Serverless cache" in page(operator_client, cache).split('data-testid="blockers"')[1]

"""The blocker reads of the services whose role an organization holds: CloudTrail's
organization trails and event data stores, the organization's feature set, and what IAM
Identity Center keeps in the account (docs/readiness.md has each reading and source).
Registered with the other readers in roles/aws/blockers.py."""

from __future__ import annotations

from roles.aws.blocker_types import (
    CONSOLIDATED_BILLING,
    NO_ORGANIZATION,
    Resource,
    _call,
    _pages,
)
from roles.aws.errors import AwsError


def organization_trails(client_for, region: str, account: str) -> list[Resource]:
    """Organization trails whose home is this region (shadow trails included, so a trail
    of the management account is seen from a member account, once)."""
    answer = _call(client_for("cloudtrail", region), "describe_trails", includeShadowTrails=True)
    return [
        Resource("Organization trail", t["TrailARN"], t.get("Name", ""))
        for t in answer.get("trailList") or []
        if t.get("IsOrganizationTrail") and t.get("HomeRegion", region) == region
    ]


def event_data_stores(client_for, region: str, account: str) -> list[Resource]:
    """Organization event data stores of this region, 1,000 a page. ListEventDataStores no
    longer returns OrganizationEnabled (botocore's model), so each store is asked for it."""
    client = client_for("cloudtrail", region)
    found = []
    for store in _pages(
        client,
        "list_event_data_stores",
        "EventDataStores",
        "NextToken",
        "NextToken",
        MaxResults=1000,
    ):
        detail = _call(client, "get_event_data_store", EventDataStore=store["EventDataStoreArn"])
        if detail.get("OrganizationEnabled"):
            found.append(
                Resource(
                    "Organization event data store",
                    detail["EventDataStoreArn"],
                    detail.get("Name", ""),
                    detail.get("Status", ""),
                )
            )
    return found


def organization_trails_and_stores(client_for, region: str, account: str) -> list[Resource]:
    return organization_trails(client_for, region, account) + event_data_stores(
        client_for, region, account
    )


def organization(client_for, region: str, account: str) -> list[Resource]:
    """An organization with all features: then the role cannot be deleted at all. In no
    organization, or in one with consolidated billing only, the account's state (STATES)."""
    try:
        answer = _call(client_for("organizations", None), "describe_organization")
    except AwsError as exc:
        if exc.code == "AWSOrganizationsNotInUseException":
            return [Resource(NO_ORGANIZATION, "", "", "NONE")]
        raise
    org = answer["Organization"]
    if org.get("FeatureSet") != "ALL":
        return [Resource(CONSOLIDATED_BILLING, org["Arn"], org["Id"], org.get("FeatureSet", ""))]
    return [Resource("Organization with all features", org["Arn"], org["Id"], "ALL")]


# Where IAM Identity Center keeps, in the account, what its role manages (its guide:
# roles "on the path /aws-reserved/sso.amazonaws.com/" and SAML providers "with name
# prefix as AWSSSO_").
SSO_ROLE_PATH = "/aws-reserved/sso.amazonaws.com/"
SSO_PROVIDER_PREFIX = "AWSSSO_"


def identity_center(client_for, region: str, account: str) -> list[Resource]:
    """The roles Identity Center provisioned for its permission sets (1,000 a page) and
    its SAML provider, in the account."""
    iam = client_for("iam", None)
    found = [
        Resource("Identity Center role", r["Arn"], r["RoleName"])
        for r in _pages(
            iam,
            "list_roles",
            "Roles",
            "Marker",
            "Marker",
            PathPrefix=SSO_ROLE_PATH,
            MaxItems=1000,
        )
    ]
    providers = _call(iam, "list_saml_providers").get("SAMLProviderList") or []
    found += [
        Resource("Identity Center SAML provider", p["Arn"], p["Arn"].rsplit("/", 1)[-1])
        for p in providers
        if p["Arn"].rsplit("/", 1)[-1].startswith(SSO_PROVIDER_PREFIX)
    ]
    return found

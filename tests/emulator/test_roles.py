"""GetRole's RoleLastUsed and ListRoles with PathPrefix and pagination."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

PROD = "111111111111"
STAGING = "222222222222"


def test_role_last_used_from_scenario(aws):
    iam = aws.client("iam", account=PROD)
    used = iam.get_role(RoleName="AWSServiceRoleForECS")["Role"]["RoleLastUsed"]
    age = datetime.now(UTC) - used["LastUsedDate"]
    assert timedelta(hours=23) < age < timedelta(hours=25)  # used yesterday
    assert used["Region"] == "eu-west-1"
    # Not used within the 400-day tracking window: RoleLastUsed is empty.
    assert iam.get_role(RoleName="AWSServiceRoleForEC2Spot")["Role"]["RoleLastUsed"] == {}


def test_role_last_used_can_be_set_and_cleared(aws, control):
    control.set_role_last_used(
        STAGING, "AWSServiceRoleForRDS", "2026-01-05T10:00:00Z", "eu-central-1"
    )
    iam = aws.client("iam", account=STAGING)
    used = iam.get_role(RoleName="AWSServiceRoleForRDS")["Role"]["RoleLastUsed"]
    assert used["LastUsedDate"] == datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
    assert used["Region"] == "eu-central-1"
    control.set_role_last_used(STAGING, "AWSServiceRoleForRDS", None)
    assert iam.get_role(RoleName="AWSServiceRoleForRDS")["Role"]["RoleLastUsed"] == {}


def test_list_roles_path_prefix(aws):
    iam = aws.client("iam", account=PROD)
    everything = iam.list_roles()["Roles"]
    linked = iam.list_roles(PathPrefix="/aws-service-role/")["Roles"]
    assert "RolecallAudit" in {r["RoleName"] for r in everything}
    assert "RolecallAudit" not in {r["RoleName"] for r in linked}
    assert len(linked) == 14  # demo.ROLES[PROD]
    assert all(r["Path"].startswith("/aws-service-role/") for r in linked)
    ecs_only = iam.list_roles(PathPrefix="/aws-service-role/ecs.amazonaws.com/")["Roles"]
    assert [r["RoleName"] for r in ecs_only] == ["AWSServiceRoleForECS"]
    # As in AWS, ListRoles leaves RoleLastUsed and Tags to GetRole.
    assert all("RoleLastUsed" not in r and "Tags" not in r for r in linked)


def test_list_roles_pagination(aws):
    iam = aws.client("iam", account=PROD)
    names, marker, sizes = [], None, []
    while True:
        kwargs = {"PathPrefix": "/aws-service-role/", "MaxItems": 5}
        if marker:
            kwargs["Marker"] = marker
        page = iam.list_roles(**kwargs)
        sizes.append(len(page["Roles"]))
        names += [r["RoleName"] for r in page["Roles"]]
        if not page["IsTruncated"]:
            assert "Marker" not in page
            break
        marker = page["Marker"]
    assert sizes == [5, 5, 4]
    assert len(names) == len(set(names)) == 14
    paginated = [
        r["RoleName"]
        for p in iam.get_paginator("list_roles").paginate(PaginationConfig={"PageSize": 4})
        for r in p["Roles"]
    ]
    # 14 service-linked roles, RolecallAudit, RolecallChange and eks-cluster-role
    # (demo.PLAIN_ROLES)
    assert len(paginated) == 17

"""The emulated AWS Organization (emulator/organization.py, emulator/patches/organizations.py)
and the organization role of deploy/aws/organization-role.yaml, through boto3 over HTTP."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError

from emulator import member_roles
from tests.emulator.conftest import EXTERNAL_ID, HUB, LEGACY, NO_RETRY, PROD, SANDBOX, STAGING

ORG_ROLE = f"arn:aws:iam::{HUB}:role/RolecallOrganizations"
DENIED = "You don't have permissions to access this resource."
LISTS = ("ListRoots", "ListOrganizationalUnitsForParent", "ListAccountsForParent", "ListAccounts")


def session(aws, role_arn: str, external_id: str = EXTERNAL_ID, service: str = "organizations"):
    creds = aws.client("sts").assume_role(
        RoleArn=role_arn, RoleSessionName="rolecall", ExternalId=external_id
    )["Credentials"]
    return boto3.client(
        service,
        endpoint_url=aws.url,
        region_name="us-east-1",
        config=NO_RETRY,
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )


def pages(call, key: str, size: int, **kwargs) -> tuple[list[dict], int]:
    """Every item, following NextToken by hand with MaxResults=size: (items, calls)."""
    items, token, calls = [], None, 0
    while True:
        answer = call(MaxResults=size, **({"NextToken": token} if token else {}), **kwargs)
        calls += 1
        assert len(answer[key]) <= size
        items += answer[key]
        token = answer.get("NextToken")
        if not token:
            return items, calls


def tree(org, size: int = 1) -> dict[tuple[str, ...], list[tuple[str, str, str, str]]]:
    """OU path (names from the root) -> its accounts (id, name, State, email)."""
    (root,) = org.list_roots(MaxResults=size)["Roots"]
    found, todo = {}, [(root["Id"], ())]
    while todo:
        parent, path = todo.pop(0)
        accounts, _ = pages(org.list_accounts_for_parent, "Accounts", size, ParentId=parent)
        found[path] = [(a["Id"], a["Name"], a["State"], a["Email"]) for a in accounts]
        ous, _ = pages(
            org.list_organizational_units_for_parent, "OrganizationalUnits", size, ParentId=parent
        )
        todo += [(ou["Id"], (*path, ou["Name"])) for ou in ous]
    return found


def email(name: str) -> str:
    return f"aws+{name}@example.com"


DEMO_TREE = {
    (): [(HUB, "security-hub", "ACTIVE", email("security-hub"))],
    ("Workloads",): [],
    ("Sandbox",): [(SANDBOX, "acme-sandbox", "ACTIVE", email("acme-sandbox"))],
    ("Suspended",): [(LEGACY, "acme-legacy", "SUSPENDED", email("acme-legacy"))],
    ("Workloads", "Production"): [(PROD, "acme-prod", "ACTIVE", email("acme-prod"))],
    ("Workloads", "Staging"): [(STAGING, "acme-staging", "ACTIVE", email("acme-staging"))],
}


def test_the_hub_lists_the_demo_organization_page_by_page(aws):
    org = aws.client("organizations")
    described = org.describe_organization()["Organization"]
    assert (described["FeatureSet"], described["MasterAccountId"]) == ("ALL", HUB)
    assert described["MasterAccountEmail"] == email("security-hub")
    assert tree(org, size=1) == DEMO_TREE
    accounts, calls = pages(org.list_accounts, "Accounts", 2)
    assert calls == 3
    assert {a["Id"]: a["Status"] for a in accounts} == {
        HUB: "ACTIVE",
        PROD: "ACTIVE",
        STAGING: "ACTIVE",
        SANDBOX: "ACTIVE",
        LEGACY: "SUSPENDED",
    }
    (root,) = org.list_roots()["Roots"]
    assert root["Arn"] == f"arn:aws:organizations::{HUB}:root/{described['Id']}/{root['Id']}"


def test_the_sandbox_has_the_member_roles_and_an_ecs_role_nothing_holds(aws):
    iam = aws.client("iam", account=SANDBOX)  # through RolecallAudit
    slrs = {r["RoleName"] for r in iam.list_roles(PathPrefix="/aws-service-role/")["Roles"]}
    assert slrs == {
        "AWSServiceRoleForECS",
        "AWSServiceRoleForSupport",
        "AWSServiceRoleForOrganizations",
    }
    used = iam.get_role(RoleName="AWSServiceRoleForECS")["Role"]["RoleLastUsed"]
    assert used["Region"] == "us-west-2"
    for region in ("us-east-1", "us-west-2", "eu-west-1"):
        assert (
            aws.client("ecs", region=region, account=SANDBOX).list_clusters()["clusterArns"] == []
        )
    with pytest.raises(ClientError) as raised:  # the suspended account has no roles at all
        aws.client("iam", account=LEGACY)
    assert raised.value.response["Error"]["Code"] == "AccessDenied"


def test_create_move_and_close_change_what_the_hub_lists(aws):
    org = aws.client("organizations")
    root = org.list_roots()["Roots"][0]["Id"]
    ous = {
        o["Name"]: o["Id"]
        for o in org.list_organizational_units_for_parent(ParentId=root)["OrganizationalUnits"]
    }
    status = org.create_account(AccountName="acme-data", Email=email("acme-data"))
    new = status["CreateAccountStatus"]["AccountId"]
    assert status["CreateAccountStatus"]["State"] == "SUCCEEDED"
    listed = {a["Id"]: a for a in pages(org.list_accounts, "Accounts", 20)[0]}
    assert (listed[new]["Name"], listed[new]["State"], listed[new]["JoinedMethod"]) == (
        "acme-data",
        "ACTIVE",
        "CREATED",
    )
    at_root = [a["Id"] for a in org.list_accounts_for_parent(ParentId=root)["Accounts"]]
    assert at_root == [HUB, new]
    # The member roles arrive as the service-managed StackSet deploys them to new accounts.
    assert aws.client("iam", account=new).list_roles(PathPrefix="/aws-service-role/")["Roles"] == []

    org.move_account(AccountId=new, SourceParentId=root, DestinationParentId=ous["Sandbox"])
    in_sandbox = org.list_accounts_for_parent(ParentId=ous["Sandbox"])["Accounts"]
    assert [a["Id"] for a in in_sandbox] == [SANDBOX, new]
    assert [a["Id"] for a in org.list_accounts_for_parent(ParentId=root)["Accounts"]] == [HUB]

    org.close_account(AccountId=new)
    listed = {a["Id"]: a for a in pages(org.list_accounts, "Accounts", 20)[0]}
    assert (listed[new]["Status"], listed[new]["State"]) == ("SUSPENDED", "SUSPENDED")
    with pytest.raises(ClientError) as raised:
        org.close_account(AccountId=new)
    assert raised.value.response["Error"]["Code"] == "AccountAlreadyClosedException"


@pytest.mark.parametrize(
    "source, destination, code",
    [
        ("Sandbox", "Suspended", "SourceParentNotFoundException"),  # not where it is
        ("root", "ou-r1sp-nowhere0", "DestinationParentNotFoundException"),
        ("root", "root", "DuplicateAccountException"),
    ],
)
def test_move_account_answers_the_errors_aws_lists(aws, source, destination, code):
    org = aws.client("organizations")
    root = org.list_roots()["Roots"][0]["Id"]
    ous = {
        o["Name"]: o["Id"]
        for o in org.list_organizational_units_for_parent(ParentId=root)["OrganizationalUnits"]
    } | {"root": root}
    new = org.create_account(AccountName="acme-data", Email=email("acme-data"))[
        "CreateAccountStatus"
    ]["AccountId"]
    with pytest.raises(ClientError) as raised:
        org.move_account(
            AccountId=new,
            SourceParentId=ous[source],
            DestinationParentId=ous.get(destination, destination),
        )
    assert raised.value.response["Error"]["Code"] == code


def test_page_sizes_are_awss(aws, control):
    org = aws.client("organizations")
    # AWS: MaxResults 1-20 for every list (API Reference, ListAccounts).
    with pytest.raises(ClientError) as raised:
        org.list_accounts(MaxResults=21)
    assert raised.value.response["Error"]["Code"] == "InvalidInputException"
    control.reset("large", accounts=45, regions=1, clusters=0, services=0, instances=0, roles=0)
    first = org.list_accounts()
    assert len(first["Accounts"]) == 20 and first["NextToken"]  # at most 20 unasked
    everyone = [
        a for page in org.get_paginator("list_accounts").paginate() for a in page["Accounts"]
    ]
    assert len({a["Id"] for a in everyone}) == 45


def test_the_large_organization_puts_fifty_accounts_in_each_team(aws, control):
    control.reset("large", accounts=120, regions=1, clusters=0, services=0, instances=0, roles=0)
    found = tree(aws.client("organizations"), size=20)
    assert found[()] == [(HUB, "large-000", "ACTIVE", email("large-000"))]
    teams = {path[-1]: accounts for path, accounts in found.items() if len(path) == 2}
    assert {team: len(accounts) for team, accounts in teams.items()} == {
        "Team-01": 50,
        "Team-02": 50,
        "Team-03": 19,
    }
    assert teams["Team-01"][0] == ("100000000001", "large-001", "ACTIVE", email("large-001"))
    suspended = [a[0] for accounts in teams.values() for a in accounts if a[2] == "SUSPENDED"]
    assert suspended == ["100000000100"]


def test_a_member_account_sees_its_organization_but_cannot_list_it(aws, control):
    member = aws.client("organizations", account=PROD)  # through RolecallAudit
    hub = aws.client("organizations").describe_organization()["Organization"]
    assert member.describe_organization()["Organization"]["Id"] == hub["Id"]
    root = aws.client("organizations").list_roots()["Roots"][0]["Id"]
    for call, kwargs in (
        (member.list_roots, {}),
        (member.list_accounts, {}),
        (member.list_accounts_for_parent, {"ParentId": root}),
        (member.list_organizational_units_for_parent, {"ParentId": root}),
    ):
        with pytest.raises(ClientError) as raised:
            call(**kwargs)
        assert raised.value.response["Error"] == {
            "Code": "AccessDeniedException",
            "Message": DENIED,
        }
    control.reset("empty")  # no organization at all
    aws.forget()
    for account in (HUB, PROD):
        client = aws.client("organizations", account=account)
        for call in (client.describe_organization, client.list_accounts):
            with pytest.raises(ClientError) as raised:
                call()
            assert raised.value.response["Error"]["Code"] == "AWSOrganizationsNotInUseException"


def test_the_hub_has_the_templates_organizations_role(aws):
    (spec,) = member_roles.organization_roles(HUB)
    iam = aws.client("iam")
    role = iam.get_role(RoleName="RolecallOrganizations")["Role"]
    assert role["AssumeRolePolicyDocument"] == spec.trust
    (name,) = spec.policies
    policy = iam.get_role_policy(RoleName="RolecallOrganizations", PolicyName=name)
    assert policy["PolicyDocument"] == spec.policies[name]
    with pytest.raises(ClientError) as raised:
        session(aws, ORG_ROLE, external_id="wrong")
    assert raised.value.response["Error"]["Code"] == "AccessDenied"


def test_the_organizations_role_lists_and_does_nothing_else_under_enforcement(aws, control):
    control.enforce_iam(True)
    org = session(aws, ORG_ROLE)
    assert tree(org, size=2) == DEMO_TREE
    # Connecting compares the typed management account with AWS's (roles/organizations/).
    assert org.describe_organization()["Organization"]["MasterAccountId"] == HUB
    assert len(pages(org.list_accounts, "Accounts", 20)[0]) == 5
    root = org.list_roots()["Roots"][0]
    sandbox = next(
        o
        for o in org.list_organizational_units_for_parent(ParentId=root["Id"])[
            "OrganizationalUnits"
        ]
        if o["Name"] == "Sandbox"
    )
    refused = {
        "CreateAccount": lambda: org.create_account(AccountName="x", Email=email("x")),
        "CloseAccount": lambda: org.close_account(AccountId=SANDBOX),
        "MoveAccount": lambda: org.move_account(
            AccountId=SANDBOX, SourceParentId=sandbox["Id"], DestinationParentId=root["Id"]
        ),
        "DescribeAccount": lambda: org.describe_account(AccountId=PROD),
        "ListChildren": lambda: org.list_children(ParentId=root["Id"], ChildType="ACCOUNT"),
    }
    for action, call in refused.items():
        with pytest.raises(ClientError) as raised:
            call()
        error = raised.value.response["Error"]
        assert error["Code"] == "AccessDeniedException", action
        assert f"is not authorized to perform: organizations:{action} " in error["Message"]
    assert [
        a["Name"] for a in org.list_accounts_for_parent(ParentId=sandbox["Id"])["Accounts"]
    ] == ["acme-sandbox"]
    trail = control.trail(operation="organizations:ListAccountsForParent")
    assert trail[-1]["params"] == {"ParentId": sandbox["Id"]} and trail[-1]["error"] == ""
    assert {c["operation"].split(":")[1] for c in control.trail() if not c["error"]} >= set(LISTS)


def test_the_audit_role_cannot_list_the_organization_under_enforcement(aws, control):
    control.enforce_iam(True)
    audit = session(aws, f"arn:aws:iam::{HUB}:role/RolecallAudit")
    root = aws.client("organizations").list_roots()["Roots"][0]
    for action, call in {
        "ListRoots": audit.list_roots,
        "ListAccounts": audit.list_accounts,
        "ListAccountsForParent": lambda: audit.list_accounts_for_parent(ParentId=root["Id"]),
    }.items():
        with pytest.raises(ClientError) as raised:
            call()
        assert raised.value.response["Error"]["Code"] == "AccessDeniedException"
        assert raised.value.response["Error"]["Message"] == (
            f"User: arn:aws:sts::{HUB}:assumed-role/RolecallAudit/rolecall is not authorized "
            f"to perform: organizations:{action} on resource: "
            f"{root['Arn'] if action == 'ListAccountsForParent' else '*'} because no "
            f"identity-based policy allows the organizations:{action} action"
        )
    # The read role keeps the one Organizations read its verdicts need.
    assert audit.describe_organization()["Organization"]["FeatureSet"] == "ALL"


def test_the_hub_can_leave_the_demo_organization_for_another(aws):
    # As in AWS: remove every member, delete the organization, create another.
    org = aws.client("organizations")
    with pytest.raises(ClientError) as raised:
        org.delete_organization()
    assert raised.value.response["Error"]["Code"] == "OrganizationNotEmptyException"
    for account in (PROD, STAGING, SANDBOX, LEGACY):
        org.remove_account_from_organization(AccountId=account)
    org.delete_organization()
    with pytest.raises(ClientError) as raised:
        aws.client("organizations", account=PROD).describe_organization()
    assert raised.value.response["Error"]["Code"] == "AWSOrganizationsNotInUseException"
    org.create_organization(FeatureSet="CONSOLIDATED_BILLING")
    assert org.describe_organization()["Organization"]["FeatureSet"] == "CONSOLIDATED_BILLING"

"""The contract every catalogue reader (roles/aws/readers/) is held to, against the
emulator over HTTP: nothing found and AWS lets the role go; one resource made in one
region, and rolecall's predicted RoleUsageList is exactly what the emulator's
DeleteServiceLinkedRole task fails with; the resource removed, the read finds nothing
again and the deletion succeeds.

A test gives its service's principal and two functions on boto3 clients in the test
account: ``make(client_for, region)`` creates what blocks the role there and returns
the ARNs AWS would name, and ``remove(client_for, region)`` removes it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import cache
from types import SimpleNamespace

from roles.aws.service_reads import read_role
from tests.support.aws import admin, client

ACCOUNT = "222222222222"  # acme-staging in the demo scenario
REGIONS = ("us-east-1", "eu-west-1")


def account_aws(account: str = ACCOUNT, regions=REGIONS):
    """What the sync reads through (roles/aws/account.py AccountAws): the account's
    clients, through its RolecallAudit role, and its regions."""

    @cache
    def client_for(service: str, region: str):
        return client(service, account, region)

    return SimpleNamespace(
        client=client_for,
        target=SimpleNamespace(account_id=account),
        regions=lambda: list(regions),
    )


def the_role(principal: str, account: str = ACCOUNT) -> tuple[str, str]:
    """(name, ARN) of the service's role in the account, created if it is not there."""
    iam = admin("iam", account)
    for role in iam.list_roles(PathPrefix=f"/aws-service-role/{principal}/")["Roles"]:
        return role["RoleName"], role["Arn"]
    role = iam.create_service_linked_role(AWSServiceName=principal)["Role"]
    return role["RoleName"], role["Arn"]


def deletion(name: str, account: str = ACCOUNT) -> dict:
    """Ask AWS to delete the role, and its task's last status."""
    iam = admin("iam", account)
    task = iam.delete_service_linked_role(RoleName=name)["DeletionTaskId"]
    status = {"Status": "IN_PROGRESS"}
    for _ in range(40):
        status = iam.get_service_linked_role_deletion_status(DeletionTaskId=task)
        if status["Status"] in ("SUCCEEDED", "FAILED"):
            break
        time.sleep(0.05)
    return status


def holds_to_the_contract(
    principal: str,
    make: Callable[[Callable, str], list[str]],
    remove: Callable[[Callable, str], None],
    *,
    region: str = "eu-west-1",
    account: str = ACCOUNT,
) -> list[dict]:
    """Run the contract; returns the RoleUsageList predicted while blocked."""
    aws = account_aws(account)
    name, arn = the_role(principal, account)
    assert read_role(aws, principal, arn, threads=2) == []

    made = make(aws.client, region)
    predicted = read_role(aws, principal, arn, threads=2)
    assert predicted == [{"Region": region, "Resources": sorted(made)}]
    for resource in made:
        # RoleUsageType's resources are ARNs of 20 to 2048 characters (IAM's model).
        assert resource.startswith("arn:aws:") and 20 <= len(resource) <= 2048, resource
    status = deletion(name, account)
    assert status["Status"] == "FAILED", status
    assert status["Reason"]["RoleUsageList"] == predicted  # AWS names what rolecall read

    remove(aws.client, region)
    assert read_role(aws, principal, arn, threads=2) == []
    assert deletion(name, account)["Status"] == "SUCCEEDED"
    return predicted

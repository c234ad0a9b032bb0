"""The shipped member roles (deploy/aws/member-roles.yaml) under IAM enforcement.

The emulator judges every call made with assumed-role credentials against the
role's policies (emulator/enforce.py), and its scenario accounts carry exactly the
template's roles. Every flow rolecall has passes with them; each action taken out
of them, one at a time, makes a named flow fail with AccessDenied on that action,
so none is granted for nothing; and the read role can change nothing.
"""

from __future__ import annotations

import importlib
import json
import os
import pkgutil

import boto3
import pytest
from botocore.exceptions import ClientError
from django.test import RequestFactory

import tests.catalogue
from emulator import member_roles
from roles.aws.account import AccountAws
from roles.aws.readers import collect as catalogue_readers
from roles.aws.service_reads import read_region
from roles.cleanup import plan as planning
from roles.cleanup.service import decide as decide_cleanup
from roles.deletion.service import decide, request_deletion
from roles.models import (
    Account,
    CleanupPlan,
    EcsRegion,
    RoleChange,
    ServiceLinkedRole,
    ServiceRegion,
    SyncRun,
)
from roles.role_changes import service as changes
from roles.role_changes import worker as change_worker
from tests.support.aws import admin, without_action
from tests.support.catalogue import the_role
from tests.support.drive import drive_cleanup, drive_deletion, planned_and_queued
from tests.support.sync import REGIONS, sync_now

# Starts processes of its own: its file runs first (tests/conftest.py).
pytestmark = pytest.mark.slow

HUB, PROD, STAGING = "123456789012", "111111111111", "222222222222"
READ, CHANGE = "ReadRole", "ChangeRole"
# How each API says "not allowed" (EC2: UnauthorizedOperation; ECS: AccessDeniedException).
DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"}


@pytest.fixture(autouse=True)
def approval_on(settings):
    settings.ROLECALL_REQUIRE_APPROVAL = True


def granted(logical_id: str) -> list[str]:
    role = member_roles.role(logical_id, STAGING)
    return sorted(
        {
            action
            for document in role.policies.values()
            for statement in document["Statement"]
            for action in member_roles.as_actions(statement)
        }
    )


def take_away(logical_id: str, action: str) -> None:
    """Remove one action from the template's role in every demo account."""
    for account in (HUB, PROD, STAGING):
        without_action(member_roles.role(logical_id, account), action, account)


@pytest.fixture
def enforced(emulator, demo_accounts):
    """IAM enforcement on, every demo account reached through its roles (the hub too),
    scanning the demo's regions with resources."""
    emulator.control.enforce_iam(True)
    for account in demo_accounts.values():
        account.role_arn = f"arn:aws:iam::{account.aws_account_id}:role/RolecallAudit"
        account.change_role_arn = f"arn:aws:iam::{account.aws_account_id}:role/RolecallChange"
        account.external_id, account.regions = member_roles.EXTERNAL_ID, list(REGIONS)
        account.save()
    return demo_accounts


def every_region(accounts) -> None:
    """Scan every region ec2:DescribeRegions returns, as an account with none configured."""
    for account in accounts.values():
        account.regions = []
        account.save(update_fields=["regions"])


def refused(emulator, operation: str = "") -> list[dict]:
    return [c for c in emulator.control.trail(operation=operation) if c["error"]]


def stored_errors(account: Account) -> str:
    """Every AWS error the sync stored for the account, as one string."""
    run = SyncRun.objects.filter(account=account).latest("pk")
    found = [run.error, run.region_errors, run.role_errors]
    found += list(EcsRegion.objects.filter(account=account).values_list("error", flat=True))
    found += list(ServiceRegion.objects.filter(account=account).values_list("error", flat=True))
    roles = ServiceLinkedRole.objects.filter(account=account)
    found += list(roles.values_list("advisor_error", flat=True))
    return json.dumps(found)


def role(account_id: str, name: str) -> ServiceLinkedRole:
    return ServiceLinkedRole.objects.get(account__aws_account_id=account_id, name=name)


def web_request(user):
    request = RequestFactory().post("/", REMOTE_ADDR="198.51.100.7")
    request.user = user
    return request


# --- the flows ------------------------------------------------------------------------


def sync(accounts) -> list[SyncRun]:
    return [sync_now(account) for account in accounts.values()]


def sync_until_refused(accounts, emulator, action: str) -> list[Account]:
    """Sync the accounts one at a time, up to the first whose sync was refused the
    action: one refusal, stored as that account's error, is the evidence needed."""
    synced = []
    for account in accounts.values():
        sync_now(account)
        synced.append(account)
        if refused(emulator, action):
            break
    return synced


def delete(accounts, operator, approver) -> str:
    deletion = request_deletion(role(STAGING, "AWSServiceRoleForECS"), user=operator).request
    decide(deletion, user=approver, approve=True, version=deletion.evidence_version, comment="ok")
    return drive_deletion(deletion).state


def plan(accounts, operator) -> CleanupPlan:
    plan, _ = planning.build(role(PROD, "AWSServiceRoleForECS"), user=operator)
    return plan


def cleanup(accounts, operator, approver) -> str:
    queued = planned_and_queued(accounts["acme-prod"], operator)
    if queued.state == CleanupPlan.State.AWAITING_APPROVAL:
        decide_cleanup(queued, user=approver, approve=True, comment="ok")
    return drive_cleanup(queued).state


def made(change: RoleChange) -> RoleChange:
    """The worker's side of a direct change; its row afterwards."""
    change_worker.apply(change.pk)
    change.refresh_from_db()
    return change


def describe(accounts, operator) -> RoleChange:
    target = role(STAGING, "AWSServiceRoleForRDS")
    return made(
        changes.request_description(target, "Kept for billing", request=web_request(operator))
    )


def create(accounts, operator) -> RoleChange:
    # Creating a role is an administrator's to ask for; the worker checks it again.
    operator.is_superuser = True
    operator.save(update_fields=["is_superuser"])
    account = accounts["acme-staging"]
    request = web_request(operator)
    principal = "cloudtrail.amazonaws.com"
    return made(changes.request_creation(account, principal, "", "", request=request))


# --- every flow passes with the shipped roles -----------------------------------------


def test_every_flow_passes_with_the_shipped_roles(enforced, emulator, operator, approver):
    every_region(enforced)
    runs = sync(enforced)
    assert [run.status for run in runs] == ["succeeded"] * 3
    for account in enforced.values():
        assert "AccessDenied" not in stored_errors(account)
    assert plan(enforced, operator).steps.exists()
    assert delete(enforced, operator, approver) == "succeeded"
    assert cleanup(enforced, operator, approver) == "succeeded"
    assert describe(enforced, operator).state == "succeeded"
    assert create(enforced, operator).state == "succeeded"
    assert refused(emulator) == []
    made = {call["operation"] for call in emulator.control.trail()}
    # GetPolicy only when the listing fails: test_a_sync_whose_policy_listing_fails...
    # The catalogue's reads: test_every_catalogue_read_passes_with_the_shipped_roles.
    assert set(granted(READ)) | set(granted(CHANGE)) <= made | {"iam:GetPolicy"} | set(CATALOGUE)


def test_every_catalogue_read_passes_with_the_shipped_roles(enforced, emulator):
    for principal in catalogue_readers():
        the_role(principal, PROD)
    for action in STAGE:
        staged(action)
    aws = AccountAws.for_account(enforced["acme-prod"])
    for principal in catalogue_readers():
        read = read_region(aws, principal, REGIONS[0])
        assert (principal, read.error) == (principal, {})
    assert refused(emulator) == []
    assert set(CATALOGUE) <= {call["operation"] for call in emulator.control.trail()}


def test_a_failed_deletion_passes_with_the_shipped_roles(enforced, emulator, operator, approver):
    sync({"acme-prod": enforced["acme-prod"]})
    deletion = request_deletion(role(PROD, "AWSServiceRoleForECS"), user=operator).request
    decide(deletion, user=approver, approve=True, version=deletion.evidence_version, comment="ok")
    deletion = drive_deletion(deletion)
    assert deletion.state == "failed"
    assert deletion.attempts.get().role_usage_list  # AWS's reason: the clusters, per region
    assert refused(emulator) == []


# ListPolicies refused (an older read role, or AWS failing it): the sync reads each
# policy's default version with GetPolicy instead (roles/inventory/sync/collect.py).
LISTING_REFUSED = {"operation": "iam:ListPolicies", "error": "AccessDenied"}


def test_a_sync_whose_policy_listing_fails_reads_each_policy(enforced, emulator):
    emulator.control.add_faults(LISTING_REFUSED)
    assert {run.status for run in sync(enforced)} == {"succeeded"}
    assert {c["operation"] for c in refused(emulator)} == {"iam:ListPolicies"}
    assert emulator.control.trail(operation="iam:GetPolicy")


def test_a_role_gone_before_its_deletion_ends_it_as_done(enforced, emulator, operator, approver):
    sync({"acme-staging": enforced["acme-staging"]})
    target = role(STAGING, "AWSServiceRoleForRDS")
    deletion = request_deletion(target, user=operator).request
    decide(deletion, user=approver, approve=True, version=deletion.evidence_version, comment="ok")
    iam = admin("iam", STAGING)  # someone deletes it by hand meanwhile
    task = iam.delete_service_linked_role(RoleName=target.name)["DeletionTaskId"]
    for _ in range(5):
        status = iam.get_service_linked_role_deletion_status(DeletionTaskId=task)["Status"]
        if status == "SUCCEEDED":
            break
    assert status == "SUCCEEDED"
    emulator.control.clear_trail()
    assert drive_deletion(deletion).state == "succeeded"
    assert refused(emulator) == []
    assert emulator.control.trail(operation="iam:DeleteServiceLinkedRole") == []


# --- each action is needed ------------------------------------------------------------

# The flow that fails without each action (each flow starts from a sync made with
# the full roles, except the sync's own reads).
NEEDED_BY = {
    "iam:GetPolicy": "sync-unlisted",
    "iam:ListPolicies": "sync-listing",
    "iam:DeleteServiceLinkedRole": "delete",
    "iam:GetServiceLinkedRoleDeletionStatus": "delete",
    "iam:UpdateRoleDescription": "describe",
    "iam:CreateServiceLinkedRole": "create",
    "ecs:UpdateService": "cleanup",
    "ecs:DeleteService": "cleanup",
    "ecs:DeregisterContainerInstance": "cleanup",
    "ecs:DeleteCluster": "cleanup",
    "ecs:ListServices": "plan",
    "ecs:DescribeServices": "plan",
    "ecs:ListContainerInstances": "plan",
    "ecs:DescribeContainerInstances": "plan",
}
# The catalogue's readers (roles/aws/readers/): each action, and a service it reads for.
CATALOGUE = {
    action: principal
    for principal, reader in sorted(catalogue_readers().items(), reverse=True)
    for action in reader.actions
}


# Catalogue reads made once per resource found (Reader.calls EACH) ask only when one is
# there: a tests/catalogue/ module's STAGE says how its service makes one, action ->
# make(admin_for), admin_for(service) a client of the account's administrator.
STAGE = {
    action: make
    for info in pkgutil.iter_modules(tests.catalogue.__path__)
    for action, make in getattr(
        importlib.import_module(f"tests.catalogue.{info.name}"), "STAGE", {}
    ).items()
}


def staged(action: str) -> None:
    if action in STAGE:
        STAGE[action](lambda service: admin(service, PROD))


def catalogue_read(accounts, action: str):
    """The read of a catalogue service in a region, through the account's read role as the
    sync makes it, in an account that holds the service's role (and, for a read that
    describes each resource listed, one resource)."""
    principal = CATALOGUE[action]
    the_role(principal, PROD)
    staged(action)
    aws = AccountAws.for_account(accounts["acme-prod"])
    return read_region(aws, principal, REGIONS[0])


@pytest.mark.parametrize(
    "logical_id, action",
    [(READ, a) for a in granted(READ)] + [(CHANGE, a) for a in granted(CHANGE)],
)
def test_each_action_is_needed(
    enforced, emulator, operator, approver, sync_snapshots, logical_id, action
):
    flow = "catalogue" if action in CATALOGUE else NEEDED_BY.get(action, "sync")
    if flow not in ("sync", "catalogue"):
        # The same sync with the full roles every time: made once, then replayed
        # (tests/support/sync.py), so each case pays only for its own flow.
        sync_snapshots.sync(list(enforced.values()), list(REGIONS), emulator)
    take_away(logical_id, action)
    emulator.control.clear_trail()
    if flow == "catalogue":
        # The region is unreadable (kept as such by the sync), never read as empty.
        read = catalogue_read(enforced, action)
        assert read.resources is None and read.error["code"] in DENIED, read
    elif flow == "sync-listing":
        # The sync still succeeds, at a GetPolicy per attached policy instead of one
        # listing per account: the minimum of calls is lost (docs/sync.md).
        assert {run.status for run in sync(enforced)} == {"succeeded"}
        assert emulator.control.trail(operation="iam:GetPolicy")
    elif flow == "sync-unlisted":
        emulator.control.add_faults(LISTING_REFUSED)
        sync(enforced)
        stored = "".join(stored_errors(a) for a in enforced.values())
        assert '"operation": "GetPolicy"' in stored
    elif flow == "sync":
        if action == "ec2:DescribeRegions":
            every_region(enforced)
        synced = sync_until_refused(enforced, emulator, action)
        stored = "".join(stored_errors(a) for a in synced)
        assert any(f'"code": "{code}"' in stored for code in DENIED)
    elif flow in ("delete", "cleanup"):
        outcome = {"delete": delete, "cleanup": cleanup}[flow](enforced, operator, approver)
        assert outcome != "succeeded"
    elif flow == "plan":
        errors = plan(enforced, operator).regions.values_list("read_error", flat=True)
        assert "AccessDeniedException" in {error.get("code") for error in errors}
    else:
        change = {"describe": describe, "create": create}[flow](enforced, operator)
        assert (change.state, change.error["code"]) == ("failed", "AccessDenied")
    denied = refused(emulator, action)
    assert denied, f"{flow} never asked for {action}"
    assert {c["error"] for c in denied} <= DENIED


# --- the read role changes nothing ----------------------------------------------------


def read_session(account: str):
    base = dict(
        endpoint_url=os.environ["AWS_ENDPOINT_URL"],
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    creds = boto3.client("sts", **base).assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/RolecallAudit",
        RoleSessionName="attempt",
        ExternalId=member_roles.EXTERNAL_ID,
    )["Credentials"]
    return boto3.session.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name="us-east-1",
    )


def test_the_read_role_can_change_nothing(enforced, emulator):
    session = read_session(PROD)
    url = os.environ["AWS_ENDPOINT_URL"]
    iam, ecs = session.client("iam", endpoint_url=url), session.client("ecs", endpoint_url=url)
    cluster = ecs.list_clusters()["clusterArns"][0]
    attempts = [
        lambda: iam.delete_service_linked_role(RoleName="AWSServiceRoleForECS"),
        lambda: iam.update_role_description(RoleName="AWSServiceRoleForECS", Description="x"),
        lambda: iam.create_service_linked_role(AWSServiceName="cloudtrail.amazonaws.com"),
        lambda: iam.delete_role(RoleName="RolecallChange"),
        lambda: iam.put_role_policy(
            RoleName="RolecallAudit",
            PolicyName="more",
            PolicyDocument=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
                }
            ),
        ),
        lambda: ecs.delete_cluster(cluster=cluster),
        lambda: ecs.update_service(cluster=cluster, service="api", desiredCount=0),
    ]
    for attempt in attempts:
        with pytest.raises(ClientError) as raised:
            attempt()
        assert raised.value.response["Error"]["Code"] in ("AccessDenied", "AccessDeniedException")
    assert len(refused(emulator)) == len(attempts)
    assert admin("iam", PROD).get_role(RoleName="AWSServiceRoleForECS")["Role"]


def test_the_change_role_reads_nothing_and_needs_a_named_person(enforced, emulator):
    sts = boto3.client(
        "sts",
        endpoint_url=os.environ["AWS_ENDPOINT_URL"],
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    change = f"arn:aws:iam::{PROD}:role/RolecallChange"
    with pytest.raises(ClientError) as raised:
        sts.assume_role(
            RoleArn=change, RoleSessionName="nobody", ExternalId=member_roles.EXTERNAL_ID
        )
    assert raised.value.response["Error"]["Code"] == "AccessDenied"
    with pytest.raises(ClientError):  # a session tag the trust policy does not name
        sts.assume_role(
            RoleArn=change,
            RoleSessionName="someone",
            ExternalId=member_roles.EXTERNAL_ID,
            SourceIdentity="alice",
            Tags=[{"Key": "team", "Value": "x"}],
        )
    creds = sts.assume_role(
        RoleArn=change,
        RoleSessionName="someone",
        ExternalId=member_roles.EXTERNAL_ID,
        SourceIdentity="alice",
    )["Credentials"]
    iam = boto3.client(
        "iam",
        endpoint_url=os.environ["AWS_ENDPOINT_URL"],
        region_name="us-east-1",
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )
    for read in (iam.list_roles, lambda: iam.get_role(RoleName="AWSServiceRoleForECS")):
        with pytest.raises(ClientError) as raised:
            read()
        assert raised.value.response["Error"]["Code"] == "AccessDenied"

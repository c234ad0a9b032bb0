"""Attached policies at the fewest calls, over boto3 HTTP against the emulator: one
ListPolicies per account for the default versions, and each (policy ARN, version) read
with GetPolicyVersion once for the whole organization (roles/inventory/policies.py)."""

import threading
import time

import pytest
from django.db import connection

from roles.inventory.sync.service import run_sync, start_sync
from roles.models import ManagedPolicyVersion, ServiceLinkedRole, SyncRun
from tests.support.sync import sync_now

ECS_POLICY = "AmazonECSServiceRolePolicy"
ECS_POLICY_ARN = f"arn:aws:iam::aws:policy/aws-service-role/{ECS_POLICY}"
NEW_DOCUMENT = {
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "ECSTaskManagement", "Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"}
    ],
}


@pytest.fixture
def accounts(demo_accounts):
    # One region each: these tests are about IAM.
    for account in demo_accounts.values():
        account.regions = ["us-east-1"]
        account.save(update_fields=["regions"])
    return demo_accounts


def iam_calls(emulator) -> dict[str, int]:
    operations = emulator.control.calls()["operations"]
    return {op: n for op, n in operations.items() if op.startswith("iam:") and "Polic" in op}


def pairs(account) -> set[tuple[str, str]]:
    return {
        (p["arn"], p["version_id"])
        for role in ServiceLinkedRole.objects.filter(account=account)
        for p in role.permissions
    }


def ecs_role(account) -> ServiceLinkedRole:
    return ServiceLinkedRole.objects.get(account=account, name="AWSServiceRoleForECS")


def synced(account) -> SyncRun:
    run = sync_now(account)
    assert run.status == SyncRun.Status.SUCCEEDED, (run.error, run.role_errors)
    return run


def test_the_first_sync_reads_each_version_once_and_the_next_account_none(emulator, accounts):
    prod, staging = accounts["acme-prod"], accounts["acme-staging"]
    emulator.control.reset_calls()
    synced(prod)
    # 14 roles, 13 policies: both Auto Scaling roles have AutoScalingServiceRolePolicy.
    assert ServiceLinkedRole.objects.filter(account=prod).count() == 14
    assert len(pairs(prod)) == 13
    assert iam_calls(emulator) == {
        "iam:ListAttachedRolePolicies": 14,
        "iam:ListPolicies": 1,
        "iam:GetPolicyVersion": 13,
    }
    assert set(ManagedPolicyVersion.objects.values_list("arn", "version_id")) == pairs(prod)

    emulator.control.reset_calls()
    synced(staging)
    # Every policy of staging's 10 roles is one prod's sync stored: no version read.
    assert pairs(staging) and pairs(staging) <= pairs(prod)
    assert iam_calls(emulator) == {"iam:ListAttachedRolePolicies": 10, "iam:ListPolicies": 1}
    # The permissions pages read are as a read from AWS would give them.
    (permission,) = ecs_role(staging).permissions
    assert permission["arn"] == ECS_POLICY_ARN and permission["name"] == ECS_POLICY
    assert permission["version_id"] == "v1"
    assert permission["document"] == ecs_role(prod).permissions[0]["document"]
    assert "ECSTaskManagement" in {s["Sid"] for s in permission["document"]["Statement"]}


def test_a_new_default_version_is_read_once_for_every_account(emulator, accounts):
    prod, staging = accounts["acme-prod"], accounts["acme-staging"]
    synced(prod)
    synced(staging)
    published = emulator.control.publish_policy_version(ECS_POLICY, NEW_DOCUMENT)
    # Every emulated account with the ECS role: prod, staging and the organization's sandbox.
    assert published == {"arn": ECS_POLICY_ARN, "version_id": "v2", "accounts": 3}

    emulator.control.reset_calls()
    synced(prod)
    assert iam_calls(emulator)["iam:GetPolicyVersion"] == 1
    (permission,) = ecs_role(prod).permissions
    assert (permission["version_id"], permission["document"]) == ("v2", NEW_DOCUMENT)

    emulator.control.reset_calls()
    synced(staging)
    assert "iam:GetPolicyVersion" not in iam_calls(emulator)
    assert ecs_role(staging).permissions[0]["version_id"] == "v2"
    assert ManagedPolicyVersion.objects.filter(arn=ECS_POLICY_ARN).count() == 2


def test_a_failed_version_read_is_the_roles_error_and_keeps_its_permissions(emulator, accounts):
    prod = accounts["acme-prod"]
    synced(prod)
    before = ecs_role(prod).permissions
    emulator.control.publish_policy_version(ECS_POLICY, NEW_DOCUMENT)
    emulator.control.add_faults(
        {"operation": "iam:GetPolicyVersion", "error": "AccessDenied", "count": 1}
    )
    run = sync_now(prod)
    assert run.status == SyncRun.Status.PARTIAL
    role = ecs_role(prod)
    assert list(run.role_errors) == [role.arn]
    assert run.role_errors[role.arn]["code"] == "AccessDenied"
    assert run.role_errors[role.arn]["operation"] == "GetPolicyVersion"
    assert role.permissions == before  # v1, as last read
    assert not ManagedPolicyVersion.objects.filter(version_id="v2").exists()

    emulator.control.reset_calls()
    synced(prod)
    assert iam_calls(emulator)["iam:GetPolicyVersion"] == 1
    assert ecs_role(prod).permissions[0]["version_id"] == "v2"


def test_without_list_policies_each_policy_is_read_with_get_policy(emulator, accounts):
    prod = accounts["acme-prod"]
    emulator.control.add_faults({"operation": "iam:ListPolicies", "error": "AccessDenied"})
    emulator.control.reset_calls()
    synced(prod)
    calls = iam_calls(emulator)
    assert (calls["iam:ListPolicies"], calls["iam:GetPolicy"]) == (1, 13)
    assert ecs_role(prod).permissions[0]["version_id"] == "v1"


def test_a_failed_get_policy_is_the_error_of_the_roles_with_that_policy(emulator, accounts):
    prod = accounts["acme-prod"]
    synced(prod)
    before = {role.arn: role.permissions for role in ServiceLinkedRole.objects.filter(account=prod)}
    emulator.control.add_faults(
        {"operation": "iam:ListPolicies", "error": "AccessDenied"},
        {"operation": "iam:GetPolicy", "error": "AccessDenied"},
    )
    run = sync_now(prod)
    assert run.status == SyncRun.Status.PARTIAL
    assert set(run.role_errors) == set(before)
    assert {(e["code"], e["operation"]) for e in run.role_errors.values()} == {
        ("AccessDenied", "GetPolicy")
    }
    after = {role.arn: role.permissions for role in ServiceLinkedRole.objects.filter(account=prod)}
    assert after == before


@pytest.mark.django_db
def test_storing_a_version_already_stored_is_not_an_error():
    pair = (ECS_POLICY_ARN, "v1")
    ManagedPolicyVersion.objects.remember({pair: {"Statement": []}})
    ManagedPolicyVersion.objects.remember({pair: {"Statement": []}})
    assert ManagedPolicyVersion.objects.documents([pair]) == {pair: {"Statement": []}}
    assert ManagedPolicyVersion.objects.documents([]) == {}


@pytest.mark.postgresql
def test_two_accounts_syncing_at_once_store_each_version_once(emulator, accounts, transactional_db):
    prod, staging = accounts["acme-prod"], accounts["acme-staging"]
    runs = [start_sync(prod), start_sync(staging)]
    errors = []

    def one(run):
        try:
            run_sync(run.pk, task_id=f"test-{run.pk}")
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=one, args=(run,)) for run in runs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    for run in runs:
        run.refresh_from_db()
        assert run.status == SyncRun.Status.SUCCEEDED, (run.error, run.role_errors)
    stored = list(ManagedPolicyVersion.objects.values_list("arn", "version_id"))
    assert sorted(stored) == sorted(pairs(prod) | pairs(staging))
    # Each version was read once for both: the sync that claimed it read it, the
    # other took its document from the database.
    reads = emulator.control.calls()["operations"]["iam:GetPolicyVersion"]
    assert reads == len(stored)
    assert not ManagedPolicyVersion.objects.filter(document__isnull=True).exists()


PAIR = (ECS_POLICY_ARN, "v1")
OTHER = (ECS_POLICY_ARN, "v2")


@pytest.mark.django_db
def test_a_claimed_version_is_read_by_its_claimant_only():
    versions = ManagedPolicyVersion.objects
    assert versions.claim({PAIR, OTHER}, "a", 60) == {PAIR, OTHER}
    assert versions.claim({PAIR, OTHER}, "b", 60) == set()  # a's claims hold
    assert versions.documents([PAIR, OTHER]) == {}  # a claim is not a document
    versions.remember({PAIR: {"Statement": []}})
    assert versions.documents([PAIR, OTHER]) == {PAIR: {"Statement": []}}
    # a could not read OTHER: it lets go, and b may claim it.
    versions.release({OTHER}, "a")
    assert versions.claim({OTHER}, "b", 60) == {OTHER}
    versions.release({OTHER}, "a")  # not a's any more: b's claim stays
    assert versions.claim({OTHER}, "c", 60) == set()


@pytest.mark.django_db
def test_a_lapsed_claim_is_taken_by_the_next_sync():
    versions = ManagedPolicyVersion.objects
    assert versions.claim({PAIR}, "dead", 0) == {PAIR}  # its sync died holding it
    assert versions.claim({PAIR}, "b", 60) == {PAIR}
    assert versions.claim({PAIR}, "c", 60) == set()
    assert versions.wait_for({PAIR}, 0.3, every=0.05) == {}  # b still reading


@pytest.mark.django_db(transaction=True)
def test_waiting_ends_with_the_document_or_when_the_claim_is_released():
    versions = ManagedPolicyVersion.objects
    versions.claim({PAIR, OTHER}, "a", 60)

    def claimant():
        time.sleep(0.3)
        versions.remember({PAIR: {"Statement": []}})
        versions.release({OTHER}, "a")
        connection.close()

    thread = threading.Thread(target=claimant)
    started = time.monotonic()
    thread.start()
    found = versions.wait_for({PAIR, OTHER}, 30, every=0.05)
    thread.join()
    # The document arrived; OTHER was released, so the wait ended long before 30 s.
    assert found == {PAIR: {"Statement": []}}
    assert time.monotonic() - started < 10

"""AccountAws: how rolecall reaches one account, its clients, its regions, its call count."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from roles.aws.account import AccountAws
from roles.aws.errors import AwsError
from roles.aws.session import CallCounter
from tests.support.aws import HUB, only, record_answers
from tests.support.aws import client as aws_client

PROD = "111111111111"


@pytest.fixture
def prod(emulator, demo_accounts):
    return demo_accounts["acme-prod"]


def operations(emulator) -> dict[str, int]:
    return emulator.control.calls()["operations"]


def test_it_reaches_the_account_through_assume_role(emulator, prod, monkeypatch):
    answers = record_answers(monkeypatch)
    emulator.control.reset_calls()
    aws = AccountAws.for_account(prod)
    assert operations(emulator) == {"sts:AssumeRole": 1}
    identity = aws.identity()
    assert identity.account == PROD
    assert identity.arn == f"arn:aws:sts::{PROD}:assumed-role/RolecallAudit/rolecall"
    assert identity.request_id == only(answers, "GetCallerIdentity").request_id != ""
    assert operations(emulator) == {"sts:AssumeRole": 1, "sts:GetCallerIdentity": 1}
    assert aws.target == prod.target()


def test_an_account_without_a_role_arn_uses_the_base_credentials(emulator, demo_accounts):
    emulator.control.reset_calls()
    aws = AccountAws.for_account(demo_accounts["security-hub"])
    assert aws.calls == 0
    assert aws.identity().account == HUB
    assert operations(emulator) == {"sts:GetCallerIdentity": 1}


def test_a_refused_assume_role_raises_with_code_and_request_id(emulator, prod, monkeypatch):
    answers = record_answers(monkeypatch)
    prod.external_id = "not-the-agreed-one"
    with pytest.raises(AwsError) as raised:
        AccountAws.for_account(prod)
    answer = only(answers, "AssumeRole")
    assert (raised.value.code, raised.value.operation, raised.value.http_status) == (
        "AccessDenied",
        "AssumeRole",
        403,
    )
    assert raised.value.request_id == answer.request_id != ""


def test_clients_are_created_once_per_service_and_region(emulator, prod):
    aws = AccountAws.for_account(prod)
    sent = aws.calls
    eu = aws.ecs("eu-west-1")
    assert aws.ecs("eu-west-1") is eu
    assert aws.client("ecs", "eu-west-1") is eu
    assert aws.ecs("us-east-1") is not eu
    assert eu.meta.region_name == "eu-west-1"
    assert aws.iam() is aws.iam()
    assert aws.client("iam") is aws.iam()
    assert aws.client("iam", "us-east-1") is aws.iam()
    assert aws.ec2() is aws.ec2("us-east-1")
    assert aws.sts() is aws.client("sts")
    assert aws.calls == sent  # creating a client sends nothing


def test_threads_asking_for_the_same_client_share_one(emulator, prod):
    aws = AccountAws.for_account(prod)
    with ThreadPoolExecutor(8) as pool:
        clients = list(pool.map(lambda _: aws.ecs("ap-southeast-2"), range(16)))
    assert {id(c) for c in clients} == {id(aws.ecs("ap-southeast-2"))}


def test_the_clients_act_in_the_assumed_account(emulator, prod):
    aws = AccountAws.for_account(prod)
    arns = aws.ecs("ap-southeast-2").list_clusters()["clusterArns"]
    assert arns == [f"arn:aws:ecs:ap-southeast-2:{PROD}:cluster/web-prod-apac"]


def test_configured_regions_are_returned_without_asking_aws(emulator, prod):
    prod.regions = ["eu-west-1", "us-east-1"]
    aws = AccountAws.for_account(prod)
    emulator.control.reset_calls()
    assert aws.regions() == ["eu-west-1", "us-east-1"]
    assert operations(emulator) == {}


def test_without_configured_regions_describe_regions_is_read_once(emulator, prod):
    listed = aws_client("ec2", PROD).describe_regions(AllRegions=False)["Regions"]
    aws = AccountAws.for_account(prod)
    emulator.control.reset_calls()
    first = aws.regions()
    assert first == sorted(r["RegionName"] for r in listed)
    first.clear()  # a copy: the caller's list is its own
    assert aws.regions() == sorted(r["RegionName"] for r in listed)
    assert operations(emulator) == {"ec2:DescribeRegions": 1}


def test_calls_counts_every_http_request_retries_included(emulator, prod):
    emulator.control.reset_calls()
    aws = AccountAws.for_account(prod)
    assert aws.calls == 1  # AssumeRole
    emulator.control.add_faults(
        {"operation": "sts:GetCallerIdentity", "error": "Throttling", "count": 1}
    )
    assert aws.identity().account == PROD
    assert aws.calls == 3
    assert emulator.control.calls()["total"] == 3


def test_one_attempt_per_call_sends_a_throttled_call_once(emulator, prod):
    aws = AccountAws.for_account(prod, attempts=1)
    emulator.control.add_faults(
        {"operation": "sts:GetCallerIdentity", "error": "Throttling", "count": 1}
    )
    with pytest.raises(AwsError) as raised:
        aws.identity()
    assert (raised.value.code, raised.value.retryable) == ("Throttling", True)
    assert aws.calls == 2


def test_a_shared_counter_adds_up_the_calls_of_several_accounts(emulator, demo_accounts):
    emulator.control.reset_calls()
    counter = CallCounter()
    prod = AccountAws.for_account(demo_accounts["acme-prod"], counter)
    staging = AccountAws.for_account(demo_accounts["acme-staging"], counter)
    prod.identity()
    staging.identity()
    assert prod.counter is staging.counter is counter
    assert (prod.calls, staging.calls, counter.total) == (4, 4, 4)
    assert emulator.control.calls()["total"] == 4

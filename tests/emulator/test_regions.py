"""ec2:DescribeRegions answers with the calling account's own Regions, as the EC2 API
reference describes it: its partition's, enabled ones unless AllRegions is set."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError

from emulator.testing import EmulatorError
from tests.emulator.conftest import HUB, NO_RETRY, PROD, SANDBOX

# "Opt-in status: Not required" in the EC2 User Guide's table of Regions.
DEFAULT = {
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ca-central-1",
    "eu-central-1",
    "eu-north-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
}


def listed(aws, account: str = HUB, region: str = "us-east-1", **kwargs) -> dict[str, str]:
    ec2 = aws.client("ec2", region=region, account=account)
    return {r["RegionName"]: r["OptInStatus"] for r in ec2.describe_regions(**kwargs)["Regions"]}


def test_an_account_sees_its_default_regions_and_the_opt_in_ones_it_enabled(aws, control):
    assert listed(aws, HUB) == dict.fromkeys(DEFAULT, "opt-in-not-required")
    assert listed(aws, PROD) == {
        **dict.fromkeys(DEFAULT, "opt-in-not-required"),
        "eu-central-2": "opted-in",
    }
    assert listed(aws, SANDBOX, AllRegions=False) == {
        **dict.fromkeys(DEFAULT, "opt-in-not-required"),
        "af-south-1": "opted-in",
        "me-central-1": "opted-in",
    }


def test_all_regions_adds_the_partitions_opt_in_regions_as_not_opted_in(aws, control):
    every = listed(aws, PROD, AllRegions=True)
    session = boto3.session.Session()
    assert set(every) == set(session.get_available_regions("ec2", "aws"))
    assert not [r for r in every if r.startswith(("cn-", "us-gov-"))]
    assert every["eu-central-2"] == "opted-in"
    assert every["af-south-1"] == every["il-central-1"] == "not-opted-in"
    assert {r for r, status in every.items() if status == "opt-in-not-required"} == DEFAULT


def test_region_names_and_filters_narrow_the_answer(aws, control):
    # "You can specify any Regions, whether they are enabled and disabled for your account."
    assert listed(aws, PROD, RegionNames=["af-south-1", "eu-central-2", "us-east-1"]) == {
        "af-south-1": "not-opted-in",
        "eu-central-2": "opted-in",
        "us-east-1": "opt-in-not-required",
    }
    opted = listed(
        aws, SANDBOX, AllRegions=True, Filters=[{"Name": "opt-in-status", "Values": ["opted-in"]}]
    )
    assert opted == {"af-south-1": "opted-in", "me-central-1": "opted-in"}
    west = listed(aws, HUB, Filters=[{"Name": "region-name", "Values": ["eu-west-*"]}])
    assert sorted(west) == ["eu-west-1", "eu-west-2", "eu-west-3"]
    answer = aws.client("ec2").describe_regions(RegionNames=["eu-west-1"])["Regions"]
    assert answer == [
        {
            "RegionName": "eu-west-1",
            "Endpoint": "ec2.eu-west-1.amazonaws.com",
            "OptInStatus": "opt-in-not-required",
        }
    ]


@pytest.mark.parametrize(
    ("region", "expected"),
    [
        ("cn-north-1", {"cn-north-1": "ec2.cn-north-1.amazonaws.com.cn", "cn-northwest-1": ""}),
        ("us-gov-west-1", {"us-gov-east-1": "", "us-gov-west-1": ""}),
    ],
)
def test_another_partition_lists_only_its_own_regions(emulator, control, region, expected):
    ec2 = boto3.client(
        "ec2",
        endpoint_url=emulator.url,
        region_name=region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=NO_RETRY,
    )
    answer = ec2.describe_regions(AllRegions=True)["Regions"]
    assert sorted(r["RegionName"] for r in answer) == sorted(expected)
    endpoints = {r["RegionName"]: r["Endpoint"] for r in answer}
    assert endpoints["cn-north-1" if region.startswith("cn-") else region] == (
        expected.get("cn-north-1") or f"ec2.{region}.amazonaws.com"
    )


def test_the_control_endpoint_changes_an_accounts_opt_in_regions(aws, control):
    assert control.set_opted_in_regions(HUB, ["il-central-1", "ap-east-1"]) == {
        "account": HUB,
        "opted_in": ["ap-east-1", "il-central-1"],
    }
    hub = listed(aws, HUB)
    assert hub["il-central-1"] == hub["ap-east-1"] == "opted-in"
    assert len(hub) == len(DEFAULT) + 2
    control.set_opted_in_regions(PROD, [])
    assert listed(aws, PROD) == dict.fromkeys(DEFAULT, "opt-in-not-required")
    control.reset("demo")
    aws.forget()
    assert "il-central-1" not in listed(aws, HUB)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"account": HUB, "opted_in": ["us-east-1"]}, "not an opt-in Region"),
        ({"account": HUB, "opted_in": ["cn-north-1"]}, "not an opt-in Region"),
        ({"account": "hub", "opted_in": []}, "must be a 12-digit account id"),
        ({"account": HUB, "opted_in": "af-south-1"}, "must be a list of Region names"),
    ],
)
def test_the_control_endpoint_refuses_what_is_not_an_opt_in_region(control, body, message):
    with pytest.raises(EmulatorError) as raised:
        control._call("POST", "regions", body)
    assert "HTTP 400" in str(raised.value) and message in str(raised.value)


def test_an_unknown_filter_is_refused(aws, control):
    with pytest.raises(ClientError) as raised:
        aws.client("ec2").describe_regions(Filters=[{"Name": "zone-type", "Values": ["x"]}])
    assert raised.value.response["Error"] == {
        "Code": "InvalidParameterValue",
        "Message": "The filter 'zone-type' is invalid.",
    }

"""The Regions each account has: its partition's, default ones and the opt-in ones it enabled.

``ec2:DescribeRegions`` answers from here (``patches.ec2``).  AWS: an AWS account
"provides multiple Regions", a GovCloud account the two GovCloud Regions, a China
account "the Beijing and Ningxia Regions only"; Regions launched before March 20, 2019
are enabled by default and cannot be disabled, later ones are opt-in Regions, "disabled
by default" (AWS Account Management Reference Guide, "Enable or disable AWS Regions in
your account").  Which Region is which follows the EC2 User Guide's table ("Opt-in
status"); the Regions botocore knows that the table does not list are newer than it,
so opt-in.  docs/readiness.md ("Emulator fidelity") cites both.  Scenarios enable
opt-in Regions per account; tests change them through ``/_emulator/regions``.
Functions run under ``state.LOCK``.
"""

from __future__ import annotations

# Opt-in status "Not required" in the EC2 User Guide's table of Regions.
DEFAULT = (
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
)
# "Required" in that table, then the Regions it does not list yet.
OPT_IN = (
    "af-south-1",
    "ap-east-1",
    "ap-south-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "eu-central-2",
    "eu-south-1",
    "eu-south-2",
    "me-central-1",
    "me-south-1",
    "ap-east-2",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-west-1",
    "il-central-1",
    "mx-central-1",
)
# The other partitions' Regions: an account there has only these, none opt-in.
OTHER_PARTITIONS = {
    "aws-cn": ("cn-north-1", "cn-northwest-1"),
    "aws-us-gov": ("us-gov-east-1", "us-gov-west-1"),
}

# account -> the opt-in Regions it has enabled (aws partition).
ENABLED: dict[str, set[str]] = {}


def reset() -> None:
    ENABLED.clear()


def partition(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def enable(account: str, opt_in: list[str] | tuple[str, ...] | set[str]) -> None:
    """Set the opt-in Regions ``account`` has enabled (ValueError for any other name)."""
    unknown = sorted(set(opt_in) - set(OPT_IN))
    if unknown:
        raise ValueError(f"not an opt-in Region of the aws partition: {', '.join(unknown)}")
    ENABLED[account] = set(opt_in)


def enabled(account: str) -> list[str]:
    return sorted(ENABLED.get(account, ()))


def statuses(account: str, region: str) -> dict[str, str]:
    """Every Region of the partition ``region`` belongs to, with its OptInStatus for
    ``account``: opt-in-not-required, opted-in or not-opted-in."""
    part = partition(region)
    if part != "aws":
        return dict.fromkeys(OTHER_PARTITIONS[part], "opt-in-not-required")
    on = ENABLED.get(account, set())
    answer = dict.fromkeys(DEFAULT, "opt-in-not-required")
    answer |= {r: "opted-in" if r in on else "not-opted-in" for r in OPT_IN}
    return answer


def endpoint(region: str) -> str:
    suffix = "amazonaws.com.cn" if partition(region) == "aws-cn" else "amazonaws.com"
    return f"ec2.{region}.{suffix}"

"""Patch to moto's EC2: DescribeRegions answers with the calling account's Regions.

moto lists every Region of botocore's three partitions (38), whatever the partition
of the call and whether the account enabled an opt-in Region, so a scan of "every
region" read China and GovCloud too.  The EC2 API reference: DescribeRegions
"Describes the Regions that are enabled for your account, or all Regions";
``AllRegions`` "Indicates whether to display all Regions, including Regions that are
disabled for your account"; ``RegionNames`` "You can specify any Regions, whether
they are enabled and disabled for your account"; the filters ``endpoint``,
``opt-in-status`` (``opt-in-not-required | opted-in | not-opted-in``) and
``region-name``.  Here the Regions are the partition's (``emulator.regions``).
"""

from __future__ import annotations

from fnmatch import fnmatchcase

from moto.core.responses import ActionResult
from moto.ec2.exceptions import EC2ClientError
from moto.ec2.responses.availability_zones_and_regions import AvailabilityZonesAndRegions

from .. import regions

_ORIGINALS: dict[str, object] = {}

FILTERS = {
    "endpoint": lambda r: r["Endpoint"],
    "opt-in-status": lambda r: r["OptInStatus"],
    "region-name": lambda r: r["RegionName"],
}


def describe_regions(self: AvailabilityZonesAndRegions) -> ActionResult:
    self.error_on_dryrun()
    names = self._get_param("RegionNames", [])
    every = self._get_bool_param("AllRegions", False)
    filters = self._filters_from_querystring()
    for name in filters:
        if name not in FILTERS:
            # The error for a filter the API does not have is not documented; moto's own
            # answer for a malformed filter stands in for it.
            raise EC2ClientError("InvalidParameterValue", f"The filter '{name}' is invalid.")
    listed = [
        {"RegionName": name, "Endpoint": regions.endpoint(name), "OptInStatus": status}
        for name, status in sorted(regions.statuses(self.current_account, self.region).items())
        if (name in names if names else every or status != "not-opted-in")
    ]
    listed = [
        r
        for r in listed
        if all(
            any(fnmatchcase(FILTERS[key](r), value) for value in values)
            for key, values in filters.items()
        )
    ]
    return ActionResult({"Regions": listed})


def apply() -> None:
    if "describe_regions" in _ORIGINALS:
        return
    _ORIGINALS["describe_regions"] = AvailabilityZonesAndRegions.describe_regions
    AvailabilityZonesAndRegions.describe_regions = describe_regions

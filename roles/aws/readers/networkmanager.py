"""AWS Network Manager: "You can delete this service-linked role only after you delete
your global network" (docs/catalogue.md). Global networks belong to the account, not to
a Region: DescribeGlobalNetworks, 500 a page, read once (botocore sends it to the
partition's Network Manager endpoint, us-west-2 in aws, whatever the client's Region).
A global network being deleted (DELETING) still exists, so it still counts."""

from dataclasses import replace

from roles.aws.blocker_types import GLOBAL
from roles.aws.listing import Listing, reader

READERS = {
    "networkmanager.amazonaws.com": replace(
        reader(
            Listing(
                "networkmanager",
                "describe_global_networks",
                "networkmanager:DescribeGlobalNetworks",
                "GlobalNetworks",
                "Global network",
                name="GlobalNetworkId",
                arn="GlobalNetworkArn",
                status="State",
                token_in="NextToken",
                token_out="NextToken",
                page_param="MaxResults",
                page_size=500,
            ),
            found="no global network",
        ),
        scope=GLOBAL,
    ),
}

"""AWS WAF: "submit a DeleteLoggingConfiguration request for each web ACL that has
logging enabled" before deleting AWSServiceRoleForWAFV2Logging (docs/catalogue.md).
ListLoggingConfigurations, 100 a page (Limit, NextMarker): Scope REGIONAL in every
Region, and Scope CLOUDFRONT in us-east-1 as well, the only Region that answers for
CloudFront web ACLs. An item names its web ACL by ARN (ResourceArn), as the deletion
request does.

Reader.region_calls counts the CloudFront call in us-east-1, so bench/sync.py's minimum
is exact in every Region."""

from dataclasses import replace

from roles.aws.blocker_types import Resource
from roles.aws.listing import Listing, reader

CLOUDFRONT_REGION = "us-east-1"


def _logging(scope: str) -> Listing:
    return Listing(
        "wafv2",
        "list_logging_configurations",
        "wafv2:ListLoggingConfigurations",
        "LoggingConfigurations",
        "Web ACL logging configuration",
        name="ResourceArn",
        arn="ResourceArn",
        token_in="NextMarker",
        token_out="NextMarker",
        page_param="Limit",
        page_size=100,
        params={"Scope": scope},
    )


REGIONAL, CLOUDFRONT = _logging("REGIONAL"), _logging("CLOUDFRONT")


def read(client_for, region: str, account: str) -> list[Resource]:
    found = REGIONAL.read(client_for, region, account)
    if region == CLOUDFRONT_REGION:
        found += CLOUDFRONT.read(client_for, region, account)
    return found


READERS = {
    "wafv2.amazonaws.com": replace(
        reader(REGIONAL, found="no web ACL with logging enabled"),
        read=read,
        region_calls=((CLOUDFRONT_REGION, ((CLOUDFRONT.kind,), CLOUDFRONT.page_size)),),
    ),
}

"""Amazon Connect: "When you delete your Amazon Connect instance in the AWS Management
Console, Amazon Connect cleans up the resources and deletes the service-linked role for
you" (docs/catalogue.md): each instance has a role of its own
(AWSServiceRoleForAmazonConnect_<unique-id>), held by that instance only. ListInstances,
10 a page; each summary names its role (ServiceRole) and carries its ARN.

Amazon Connect is offered in some Regions only (botocore's endpoint data lists ten): in
the others there is no endpoint to ask and nothing that could hold the role, so the read
there finds nothing without a call."""

from dataclasses import replace
from functools import cache

import botocore.session

from roles.aws.blocker_types import Resource, partition
from roles.aws.listing import Listing, reader


@cache
def offered(region: str) -> bool:
    session = botocore.session.get_session()
    return region in session.get_available_regions("connect", partition(region))


INSTANCES = reader(
    Listing(
        "connect",
        "list_instances",
        "connect:ListInstances",
        "InstanceSummaryList",
        "Amazon Connect instance",
        name="Id",
        arn="Arn",
        status="InstanceStatus",
        token_in="NextToken",
        token_out="NextToken",
        page_param="MaxResults",
        page_size=10,
        role="ServiceRole",
    ),
    found="no Amazon Connect instance using this role",
    per_role=True,
)


def read(client_for, region: str, account: str) -> list[Resource]:
    return INSTANCES.read(client_for, region, account) if offered(region) else []


READERS = {"connect.amazonaws.com": replace(INSTANCES, read=read, some_regions="connect")}

"""AWS Transit Gateway: its role is held by every transit gateway VPC attachment in the
account, in each Region (EC2's backend; moto drops an attachment when it is deleted)."""

from moto.ec2.models import ec2_backends

from ..regions import partition
from . import per_region

ROLES = [("transitgateway.amazonaws.com", "AWSServiceRoleForVPCTransitGateway")]


def _arns(backend) -> list[str]:
    return [
        f"arn:{partition(backend.region_name)}:ec2:{backend.region_name}:{backend.account_id}:"
        f"transit-gateway-attachment/{a.id}"
        for a in backend.transit_gateway_attachments.values()
        if a.resource_type == "vpc" and a.state != "deleted"
    ]


CHECKS = {
    "transitgateway.amazonaws.com": lambda task: per_region(ec2_backends, task.account, _arns)
}

"""Patch to moto's EC2: DescribeTransitGatewayVpcAttachments answers with VPC
attachments only.

moto keeps every transit gateway attachment (VPC, VPN, peering) in one store and this
call returns them all, so a VPN or peering attachment would pass for a VPC attachment
(and, read by roles/aws/readers/transit_gateway.py, for something that holds the
Transit Gateway role). The EC2 API reference: the call "Describes one or more VPC
attachments"; other kinds have their own calls.
"""

from __future__ import annotations

from moto.ec2.models.transit_gateway_attachments import TransitGatewayAttachmentBackend

_ORIGINALS: dict[str, object] = {}


def apply() -> None:
    if "describe" in _ORIGINALS:
        return
    original = TransitGatewayAttachmentBackend.describe_transit_gateway_vpc_attachments
    _ORIGINALS["describe"] = original

    def describe_transit_gateway_vpc_attachments(self, *args, **kwargs):
        return [a for a in original(self, *args, **kwargs) if a.resource_type == "vpc"]

    TransitGatewayAttachmentBackend.describe_transit_gateway_vpc_attachments = (
        describe_transit_gateway_vpc_attachments
    )

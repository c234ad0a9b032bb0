"""AWS Transit Gateway: "You can delete this service-linked role only after you delete
all transit gateway VPC attachments in your AWS account" (docs/catalogue.md).
DescribeTransitGatewayVpcAttachments (EC2 API), 1000 a page; an item carries no ARN, so
it is built in the form the Service Authorization Reference gives for EC2's
transit-gateway-attachment. An attachment already deleted (still listed for a while)
holds nothing."""

from roles.aws.listing import Listing, reader

READERS = {
    "transitgateway.amazonaws.com": reader(
        Listing(
            "ec2",
            "describe_transit_gateway_vpc_attachments",
            "ec2:DescribeTransitGatewayVpcAttachments",
            "TransitGatewayVpcAttachments",
            "Transit gateway VPC attachment",
            name="TransitGatewayAttachmentId",
            arn=(
                "arn:{partition}:ec2:{region}:{account}:transit-gateway-attachment/"
                "{TransitGatewayAttachmentId}"
            ),
            status="State",
            token_in="NextToken",
            token_out="NextToken",
            page_param="MaxResults",
            page_size=1000,
            keep=lambda item: item.get("State") != "deleted",
        ),
        found="no transit gateway VPC attachment",
    ),
}

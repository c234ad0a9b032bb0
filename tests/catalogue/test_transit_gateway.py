"""AWS Transit Gateway's reader (roles/aws/readers/transit_gateway.py) against the
emulator: VPC attachments hold the role; a VPN attachment to the same gateway does not."""

from roles.aws.service_reads import read_role
from tests.support.catalogue import ACCOUNT, account_aws, holds_to_the_contract, the_role

PRINCIPAL = "transitgateway.amazonaws.com"


def _gateway_and_vpc(ec2) -> tuple[str, str, str]:
    gateway = ec2.create_transit_gateway(Description="core")["TransitGateway"]
    vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.40.1.0/24")["Subnet"]["SubnetId"]
    return gateway["TransitGatewayId"], vpc, subnet


def test_a_vpc_attachment_blocks_the_role_until_it_is_deleted(emulator):
    made: list[str] = []

    def make(client_for, region):
        ec2 = client_for("ec2", region)
        gateway, vpc, subnet = _gateway_and_vpc(ec2)
        attachment = ec2.create_transit_gateway_vpc_attachment(
            TransitGatewayId=gateway, VpcId=vpc, SubnetIds=[subnet]
        )["TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"]
        made.append(attachment)
        return [f"arn:aws:ec2:{region}:{ACCOUNT}:transit-gateway-attachment/{attachment}"]

    def remove(client_for, region):
        client_for("ec2", region).delete_transit_gateway_vpc_attachment(
            TransitGatewayAttachmentId=made[0]
        )

    holds_to_the_contract(PRINCIPAL, make, remove)


def test_a_vpn_attachment_does_not_block(emulator):
    aws = account_aws()
    ec2 = aws.client("ec2", "eu-west-1")
    gateway = ec2.create_transit_gateway(Description="edge")["TransitGateway"]
    customer = ec2.create_customer_gateway(Type="ipsec.1", PublicIp="198.51.100.10", BgpAsn=65000)
    ec2.create_vpn_connection(
        Type="ipsec.1",
        CustomerGatewayId=customer["CustomerGateway"]["CustomerGatewayId"],
        TransitGatewayId=gateway["TransitGatewayId"],
    )
    _, arn = the_role(PRINCIPAL)
    assert read_role(aws, PRINCIPAL, arn, threads=2) == []

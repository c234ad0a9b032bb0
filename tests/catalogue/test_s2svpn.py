"""AWS Site-to-Site VPN's reader (roles/aws/readers/s2svpn.py) against the emulator: only a
customer gateway with an ACM private certificate holds the role, until it is deleted."""

from roles.aws.service_reads import read_role
from tests.support.catalogue import account_aws, deletion, holds_to_the_contract, the_role

PRINCIPAL = "s2svpn.amazonaws.com"


def test_a_gateway_with_a_certificate_blocks_the_role_until_it_is_deleted(emulator):
    made = {}

    def make(client_for, region):
        gateway = client_for("ec2", region).create_customer_gateway(
            Type="ipsec.1",
            BgpAsn=65000,
            CertificateArn=f"arn:aws:acm:{region}:222222222222:certificate/0f5e1d2c",
        )["CustomerGateway"]
        made["id"] = gateway["CustomerGatewayId"]
        return [f"arn:aws:ec2:{region}:222222222222:customer-gateway/{made['id']}"]

    def remove(client_for, region):
        # A deleted gateway is still listed, in state "deleted": it no longer counts.
        client_for("ec2", region).delete_customer_gateway(CustomerGatewayId=made["id"])

    holds_to_the_contract(PRINCIPAL, make, remove)


def test_a_gateway_without_a_certificate_does_not_block(emulator):
    aws = account_aws()
    aws.client("ec2", "eu-west-1").create_customer_gateway(
        Type="ipsec.1", BgpAsn=65000, IpAddress="203.0.113.7"
    )
    name, arn = the_role(PRINCIPAL)
    assert read_role(aws, PRINCIPAL, arn, threads=2) == []
    assert deletion(name)["Status"] == "SUCCEEDED"

"""AWS Site-to-Site VPN: "You can delete this service-linked role only after you delete all
customer gateways that have an associated ACM private certificate" (docs/catalogue.md).
DescribeCustomerGateways, unpaginated (it has no page size or token); a gateway counts when
it names a CertificateArn and is not deleted (deleted gateways stay listed for a while).
An item carries no ARN, so it is built in the form the EC2 reference gives."""

from roles.aws.listing import Listing, reader


def certified(gateway: dict) -> bool:
    return bool(gateway.get("CertificateArn")) and gateway.get("State") != "deleted"


READERS = {
    "s2svpn.amazonaws.com": reader(
        Listing(
            "ec2",
            "describe_customer_gateways",
            "ec2:DescribeCustomerGateways",
            "CustomerGateways",
            "Customer gateway",
            name="CustomerGatewayId",
            arn="arn:{partition}:ec2:{region}:{account}:customer-gateway/{CustomerGatewayId}",
            status="State",
            keep=certified,
        ),
        found="no customer gateway with an ACM private certificate",
    ),
}

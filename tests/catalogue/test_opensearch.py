"""Amazon OpenSearch Service's reader (roles/aws/readers/opensearch.py) against the
emulator: a domain with VPC access blocks until it is deleted."""

from roles.aws.service_reads import read_role
from tests.support.catalogue import account_aws, holds_to_the_contract, the_role

PRINCIPAL = "opensearchservice.amazonaws.com"
VPC = {"SubnetIds": ["subnet-0a1b2c3d"], "SecurityGroupIds": ["sg-0a1b2c3d"]}


def _domain(client_for, region, name: str, **options) -> str:
    return client_for("opensearch", region).create_domain(
        DomainName=name, EngineVersion="OpenSearch_2.11", **options
    )["DomainStatus"]["ARN"]


def test_a_vpc_domain_blocks_the_role_until_it_is_deleted(emulator):
    def make(client_for, region):
        return [_domain(client_for, region, "search", VPCOptions=VPC)]

    def remove(client_for, region):
        client_for("opensearch", region).delete_domain(DomainName="search")

    predicted = holds_to_the_contract(PRINCIPAL, make, remove)
    assert predicted[0]["Resources"] == ["arn:aws:es:eu-west-1:222222222222:domain/search"]


def test_a_public_domain_does_not_block(emulator):
    aws = account_aws()
    _domain(aws.client, "eu-west-1", "public-search")
    _, arn = the_role(PRINCIPAL)
    assert read_role(aws, PRINCIPAL, arn, threads=2) == []


# DescribeDomains is asked only when there is a domain: the least-privilege tests make
# one first (tests/aws/test_least_privilege.py).
STAGE = {
    "es:DescribeDomains": lambda admin_for: admin_for("opensearch").create_domain(
        DomainName="staged", EngineVersion="OpenSearch_2.11"
    )
}

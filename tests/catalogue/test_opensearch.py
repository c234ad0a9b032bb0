"""Amazon OpenSearch Service's reader (roles/aws/readers/opensearch.py) against the
emulator: a domain with VPC access blocks until it is deleted; a public one does not."""

from roles.aws.service_reads import read_role
from tests.support.catalogue import account_aws, holds_to_the_contract, the_role

PRINCIPAL = "opensearchservice.amazonaws.com"


def _domain(client_for, region, name: str, **options) -> str:
    return client_for("opensearch", region).create_domain(
        DomainName=name, EngineVersion="OpenSearch_2.11", **options
    )["DomainStatus"]["ARN"]


def test_a_vpc_domain_blocks_the_role_until_it_is_deleted(emulator):
    def make(client_for, region):
        vpc = {"SubnetIds": ["subnet-0a1b2c3d"], "SecurityGroupIds": ["sg-0a1b2c3d"]}
        return [_domain(client_for, region, "search", VPCOptions=vpc)]

    def remove(client_for, region):
        client_for("opensearch", region).delete_domain(DomainName="search")

    predicted = holds_to_the_contract(PRINCIPAL, make, remove)
    assert predicted[0]["Resources"] == ["arn:aws:es:eu-west-1:222222222222:domain/search"]


def test_a_public_domain_does_not_block(emulator):
    aws = account_aws()
    _domain(aws.client, "eu-west-1", "public-search")
    _, arn = the_role(PRINCIPAL)
    assert read_role(aws, PRINCIPAL, arn, threads=2) == []


def test_domains_are_described_five_at_a_time(emulator):
    aws = account_aws()
    vpc = {"SubnetIds": ["subnet-0a1b2c3d"], "SecurityGroupIds": ["sg-0a1b2c3d"]}
    made = [_domain(aws.client, "us-east-1", f"search-{n}", VPCOptions=vpc) for n in range(7)]
    _, arn = the_role(PRINCIPAL)
    emulator.control.clear_trail()
    found = read_role(aws, PRINCIPAL, arn, threads=2)
    assert found == [{"Region": "us-east-1", "Resources": sorted(made)}]
    assert len(emulator.control.trail(operation="es:DescribeDomains")) == 2

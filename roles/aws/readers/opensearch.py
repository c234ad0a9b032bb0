"""Amazon OpenSearch Service: "you must first confirm that the role has no active
sessions and remove any resources used by the role" (docs/catalogue.md). The page names
no resource; the API reference does for the role Elasticsearch Service used before it
(DeleteElasticsearchServiceRole): "Role deletion will fail if any existing VPC domains
use the role." So the domains with VPC access count, those whose VPCOptions name
subnets: ListDomainNames (unpaginated), then DescribeDomains in batches of five names
(the reference states no per-call maximum, so the batches are kept small)."""

from __future__ import annotations

from roles.aws.blocker_types import Reader, Resource, _call

KIND = "OpenSearch domain with VPC access"
BATCH = 5


def vpc_domains(client_for, region: str, account: str) -> list[Resource]:
    client = client_for("opensearch", region)
    names = [d["DomainName"] for d in _call(client, "list_domain_names").get("DomainNames") or []]
    found = []
    for start in range(0, len(names), BATCH):
        answer = _call(client, "describe_domains", DomainNames=names[start : start + BATCH])
        found += [
            Resource(KIND, d["ARN"], d["DomainName"], "deleting" if d.get("Deleted") else "")
            for d in answer.get("DomainStatusList") or []
            if (d.get("VPCOptions") or {}).get("SubnetIds")
        ]
    return found


READERS = {
    "opensearchservice.amazonaws.com": Reader(
        vpc_domains,
        ("es:ListDomainNames", "es:DescribeDomains"),
        (((KIND,), 0), ((KIND,), BATCH)),
        found="no OpenSearch domain with VPC access",
    ),
}

"""Amazon OpenSearch Service: "you must first confirm that the role has no active
sessions and remove any resources used by the role" (docs/catalogue.md). The page names
no resource; the API reference does for the role Elasticsearch Service used before it
(DeleteElasticsearchServiceRole): "Role deletion will fail if any existing VPC domains
use the role." So the domains with VPC access are what blocks: ListDomainNames
(unpaginated) names every domain, and DescribeDomains (up to 5 names a call) says which
have VPC access; a public domain does not hold the role."""

from __future__ import annotations

from roles.aws.blocker_types import EACH, Reader, Resource, _call

KIND = "OpenSearch domain"
DESCRIBE_AT_ONCE = 5  # DescribeDomains' DomainNames: "Maximum of 5 items"


def vpc_domains(client_for, region: str, account: str) -> list[Resource]:
    client = client_for("opensearch", region)
    names = [d["DomainName"] for d in _call(client, "list_domain_names").get("DomainNames") or []]
    found = []
    for start in range(0, len(names), DESCRIBE_AT_ONCE):
        answer = _call(
            client, "describe_domains", DomainNames=names[start : start + DESCRIBE_AT_ONCE]
        )
        found += [
            Resource(KIND, domain["ARN"], domain["DomainName"])
            for domain in answer.get("DomainStatusList") or []
            if (domain.get("VPCOptions") or {}).get("SubnetIds")
        ]
    return found


READERS = {
    "opensearchservice.amazonaws.com": Reader(
        vpc_domains,
        ("es:ListDomainNames", "es:DescribeDomains"),
        # DescribeDomains is asked only when there are domains, 5 to a call: counted as
        # one per domain with VPC access, the fewest it can be (bench/sync.py's minimum).
        (((KIND,), 0), ((KIND,), EACH)),
        found="no OpenSearch domain with VPC access",
    ),
}

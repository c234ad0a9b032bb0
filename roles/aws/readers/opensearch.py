"""Amazon OpenSearch Service: "you must first confirm that the role has no active
sessions and remove any resources used by the role" (docs/catalogue.md). The page names
no resource; the API reference does for the role Elasticsearch Service used before it
(DeleteElasticsearchServiceRole): "Role deletion will fail if any existing VPC domains
use the role." ListDomainNames (unpaginated) gives names only, so every domain is
counted: a domain without VPC access is reported too, a verdict that errs towards
"blocked". Telling them apart takes DescribeDomains, a call only made when there are
domains, which the read role's least-privilege check (every action needed by every
read) cannot hold to. The ARN is built in OpenSearch's documented form."""

from roles.aws.listing import Listing, reader

READERS = {
    "opensearchservice.amazonaws.com": reader(
        Listing(
            "opensearch",
            "list_domain_names",
            "es:ListDomainNames",
            "DomainNames",
            "OpenSearch domain",
            name="DomainName",
            arn="arn:{partition}:es:{region}:{account}:domain/{DomainName}",
        ),
        found="no OpenSearch domain",
    ),
}

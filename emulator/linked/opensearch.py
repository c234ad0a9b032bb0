"""Amazon OpenSearch Service: its role is held by the domains with VPC access, in each
Region. It signs as "es", its IAM prefix, while botocore's model is called "opensearch"."""

from moto.opensearch.models import opensearch_backends

from . import per_region

ROLES = [("opensearchservice.amazonaws.com", "AWSServiceRoleForAmazonOpenSearchService")]
CHECKS = {
    "opensearchservice.amazonaws.com": lambda task: per_region(
        opensearch_backends,
        task.account,
        lambda b: (d.arn for d in b.domains.values() if (d.vpc_options or {}).get("SubnetIds")),
    )
}
SIGNING = {"es": ("opensearch", "es")}

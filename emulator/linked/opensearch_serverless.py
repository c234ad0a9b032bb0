"""Amazon OpenSearch Serverless: its role is held by any collection, in each Region.
It signs as "aoss", its IAM prefix, while botocore names its model
"opensearchserverless"."""

from moto.opensearchserverless.models import opensearchserverless_backends

from . import per_region

ROLES = [("observability.aoss.amazonaws.com", "AWSServiceRoleForAmazonOpenSearchServerless")]
CHECKS = {
    "observability.aoss.amazonaws.com": lambda task: per_region(
        opensearchserverless_backends,
        task.account,
        lambda b: (c.arn for c in b.collections.values()),
    )
}
SIGNING = {"aoss": ("opensearchserverless", "aoss")}

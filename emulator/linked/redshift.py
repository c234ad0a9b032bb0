"""Amazon Redshift: its role is held by any cluster in the account, in each Region."""

from moto.redshift.models import redshift_backends

from . import per_region

ROLES = [("redshift.amazonaws.com", "AWSServiceRoleForRedshift")]
CHECKS = {
    "redshift.amazonaws.com": lambda task: per_region(
        redshift_backends, task.account, lambda b: (c.arn for c in b.clusters.values())
    )
}

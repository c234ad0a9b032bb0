"""DynamoDB Accelerator (DAX): its role is held by any DAX cluster in the account, in
each Region (moto drops a cluster from ``clusters`` once it reaches "deleted")."""

from moto.dax.models import dax_backends

from . import per_region

ROLES = [("dax.amazonaws.com", "AWSServiceRoleForDAX")]
CHECKS = {
    "dax.amazonaws.com": lambda task: per_region(
        dax_backends, task.account, lambda b: (c.arn for c in b.clusters.values())
    )
}

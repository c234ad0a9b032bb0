"""Amazon EMR: its role is held by any cluster not terminated, in each Region. EMR signs
as "elasticmapreduce", its IAM prefix, while botocore's model is called "emr"."""

from moto.emr.models import emr_backends

from . import per_region

TERMINATED = ("TERMINATED", "TERMINATED_WITH_ERRORS")

ROLES = [("elasticmapreduce.amazonaws.com", "AWSServiceRoleForEMRCleanup")]
CHECKS = {
    "elasticmapreduce.amazonaws.com": lambda task: per_region(
        emr_backends,
        task.account,
        lambda b: (c.arn for c in b.clusters.values() if c.state not in TERMINATED),
    )
}
SIGNING = {"elasticmapreduce": ("emr", "elasticmapreduce")}

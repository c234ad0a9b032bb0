"""Amazon EMR Serverless: its role is held by any application not yet terminated (a
deleted one), in each Region."""

from moto.emrserverless.models import emrserverless_backends

from . import per_region

ROLES = [("ops.emr-serverless.amazonaws.com", "AWSServiceRoleForAmazonEMRServerless")]
CHECKS = {
    "ops.emr-serverless.amazonaws.com": lambda task: per_region(
        emrserverless_backends,
        task.account,
        lambda b: (a.arn for a in b.applications.values() if a.state != "TERMINATED"),
    )
}

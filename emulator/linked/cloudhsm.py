"""AWS CloudHSM: its role is held by any cluster not deleted, in each Region, named in
the ARN form of the Service Authorization Reference. It signs as "cloudhsm", its IAM
prefix, while botocore names its model "cloudhsmv2"."""

from moto.cloudhsmv2.models import cloudhsmv2_backends

from . import per_region

ROLES = [("cloudhsm.amazonaws.com", "AWSServiceRoleForCloudHSM")]
CHECKS = {
    "cloudhsm.amazonaws.com": lambda task: per_region(
        cloudhsmv2_backends,
        task.account,
        lambda b: (
            f"arn:aws:cloudhsm:{b.region_name}:{task.account}:cluster/{c.cluster_id}"
            for c in b.clusters.values()
            if c.state != "DELETED"
        ),
    )
}
SIGNING = {"cloudhsm": ("cloudhsmv2", "cloudhsm")}

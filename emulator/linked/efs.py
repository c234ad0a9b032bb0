"""Amazon EFS: its role is held by any file system in the account, in each Region.

EFS signs its calls as "elasticfilesystem" (also its IAM prefix) while botocore's model
is "efs": without SIGNING the emulator could not name its REST operations."""

from moto.efs.models import efs_backends

from . import per_region

ROLES = [("elasticfilesystem.amazonaws.com", "AWSServiceRoleForAmazonElasticFileSystem")]
CHECKS = {
    "elasticfilesystem.amazonaws.com": lambda task: per_region(
        efs_backends,
        task.account,
        lambda b: (fs.file_system_arn for fs in b.file_systems_by_id.values()),
    )
}
SIGNING = {"elasticfilesystem": ("efs", "elasticfilesystem")}

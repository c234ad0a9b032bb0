"""Amazon FSx: its roles are held by any file system or backup in the account, in each
Region (the guide's rule for both; moto drops a file system or backup as it deletes it).
The S3-access role is one per Lustre file system, named after it; the emulator names it
with the guide's example id."""

from moto.fsx.models import fsx_backends

from . import per_region


def _held(task) -> list[dict]:
    return per_region(
        fsx_backends,
        task.account,
        lambda b: [
            *(fs.resource_arn for fs in b.file_systems.values()),
            *(backup.resource_arn for backup in b.backups.values()),
        ],
    )


ROLES = [
    ("fsx.amazonaws.com", "AWSServiceRoleForAmazonFSx"),
    ("s3.data-source.lustre.fsx.amazonaws.com", "AWSServiceRoleForFSxS3Access_fs-01234567890"),
]
CHECKS = {principal: _held for principal, _ in ROLES}

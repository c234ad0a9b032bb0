"""AWS Backup: its role is held by any backup vault (recovery points live in vaults), in
each Region."""

from moto.backup.models import backup_backends

from . import per_region

ROLES = [("backup.amazonaws.com", "AWSServiceRoleForBackup")]
CHECKS = {
    "backup.amazonaws.com": lambda task: per_region(
        backup_backends, task.account, lambda b: (v.backup_vault_arn for v in b.vaults.values())
    )
}

"""AWS Backup: "First, you must delete all your recovery points. Then, you must delete
all your backup vaults." (docs/catalogue.md). A recovery point lives in a vault, so a
Region with none of either is a Region with no vault: ListBackupVaults, 1000 a page."""

from roles.aws.listing import Listing, reader

READERS = {
    "backup.amazonaws.com": reader(
        Listing(
            "backup",
            "list_backup_vaults",
            "backup:ListBackupVaults",
            "BackupVaultList",
            "Backup vault",
            name="BackupVaultName",
            arn="BackupVaultArn",
            token_in="NextToken",
            token_out="NextToken",
            page_param="MaxResults",
            page_size=1000,
        ),
        found="no backup vault",
    ),
}

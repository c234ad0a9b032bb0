"""AWS Backup's reader (roles/aws/readers/backup.py) against the emulator."""

from tests.support.catalogue import holds_to_the_contract


def test_a_backup_vault_blocks_the_role_until_it_is_deleted(emulator):
    def make(client_for, region):
        vault = client_for("backup", region).create_backup_vault(BackupVaultName="nightly")
        return [vault["BackupVaultArn"]]

    def remove(client_for, region):
        client_for("backup", region).delete_backup_vault(BackupVaultName="nightly")

    predicted = holds_to_the_contract("backup.amazonaws.com", make, remove)
    assert predicted[0]["Resources"] == [
        "arn:aws:backup:eu-west-1:222222222222:backup-vault:nightly"
    ]

"""Amazon FSx's readers (roles/aws/readers/fsx.py) against the emulator: a file system
and each of its backups hold both FSx roles until they are deleted."""

import pytest

from tests.support.catalogue import holds_to_the_contract


def _make(made: dict):
    def make(client_for, region):
        fsx = client_for("fsx", region)
        fs = fsx.create_file_system(
            FileSystemType="LUSTRE",
            StorageCapacity=1200,
            SubnetIds=["subnet-0123456789abcdef0"],
            LustreConfiguration={"ImportPath": "s3://scratch-data"},
        )["FileSystem"]
        backup = fsx.create_backup(FileSystemId=fs["FileSystemId"])["Backup"]
        made.update(fs=fs["FileSystemId"], backup=backup["BackupId"])
        return [fs["ResourceARN"], backup["ResourceARN"]]

    return make


def _remove(made: dict):
    def remove(client_for, region):
        fsx = client_for("fsx", region)
        fsx.delete_backup(BackupId=made["backup"])
        fsx.delete_file_system(FileSystemId=made["fs"])

    return remove


@pytest.mark.parametrize(
    "principal", ["fsx.amazonaws.com", "s3.data-source.lustre.fsx.amazonaws.com"]
)
def test_a_file_system_and_its_backup_block_the_role_until_deleted(emulator, principal):
    made: dict[str, str] = {}
    predicted = holds_to_the_contract(principal, _make(made), _remove(made))
    assert predicted[0]["Resources"] == sorted(
        [
            f"arn:aws:fsx:eu-west-1:222222222222:file-system/{made['fs']}",
            f"arn:aws:fsx:eu-west-1:222222222222:backup/{made['backup']}",
        ]
    )

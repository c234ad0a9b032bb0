"""Amazon EFS's reader (roles/aws/readers/efs.py) against the emulator, which names EFS's
REST calls through its signing name ("elasticfilesystem", model "efs")."""

from roles.aws.service_reads import read_role
from tests.support.catalogue import account_aws, holds_to_the_contract, the_role

PRINCIPAL = "elasticfilesystem.amazonaws.com"


def test_a_file_system_blocks_the_role_until_it_is_deleted(emulator):
    made: dict[str, str] = {}

    def make(client_for, region):
        fs = client_for("efs", region).create_file_system(CreationToken="shared-home")
        made["id"] = fs["FileSystemId"]
        return [fs["FileSystemArn"]]

    def remove(client_for, region):
        client_for("efs", region).delete_file_system(FileSystemId=made["id"])

    predicted = holds_to_the_contract(PRINCIPAL, make, remove)
    assert predicted[0]["Resources"] == [
        f"arn:aws:elasticfilesystem:eu-west-1:222222222222:file-system/{made['id']}"
    ]


def test_the_read_is_named_as_iam_names_it(emulator):
    aws = account_aws()
    _, arn = the_role(PRINCIPAL)
    emulator.control.clear_trail()
    read_role(aws, PRINCIPAL, arn, threads=2)
    calls = emulator.control.trail(operation="elasticfilesystem:DescribeFileSystems")
    assert len(calls) == 2  # one per region

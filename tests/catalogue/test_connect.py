"""Amazon Connect's reader (roles/aws/readers/connect.py) against the emulator: an
instance holds the role it names as its ServiceRole."""

from roles.aws.service_reads import read_role
from tests.support.catalogue import account_aws, holds_to_the_contract, the_role


def test_an_instance_blocks_its_role_until_it_is_deleted(emulator):
    made = {}

    def make(client_for, region):
        instance = client_for("connect", region).create_instance(
            IdentityManagementType="CONNECT_MANAGED",
            InstanceAlias="support-desk",
            InboundCallsEnabled=True,
            OutboundCallsEnabled=False,
        )
        made["id"] = instance["Id"]
        assert instance["Arn"] == f"arn:aws:connect:{region}:222222222222:instance/{instance['Id']}"
        return [instance["Arn"]]

    def remove(client_for, region):
        client_for("connect", region).delete_instance(InstanceId=made["id"])

    # Amazon Connect is not offered in eu-west-1.
    holds_to_the_contract("connect.amazonaws.com", make, remove, region="us-east-1")


def test_a_region_without_amazon_connect_is_not_asked(emulator):
    aws = account_aws()
    _, arn = the_role("connect.amazonaws.com")
    emulator.control.clear_trail()
    assert read_role(aws, "connect.amazonaws.com", arn, threads=2) == []
    calls = emulator.control.trail(operation="connect:ListInstances")
    assert [call["region"] for call in calls] == ["us-east-1"]

"""Amazon MQ's reader (roles/aws/readers/mq.py) against the emulator."""

from tests.support.catalogue import holds_to_the_contract


def test_a_broker_blocks_the_role_until_it_is_deleted(emulator):
    made: dict[str, str] = {}

    def make(client_for, region):
        mq = client_for("mq", region)
        made["id"] = mq.create_broker(
            BrokerName="orders",
            DeploymentMode="SINGLE_INSTANCE",
            EngineType="ACTIVEMQ",
            EngineVersion="5.18",
            HostInstanceType="mq.t3.micro",
            PubliclyAccessible=False,
            AutoMinorVersionUpgrade=True,
            Users=[{"Username": "app", "Password": "Passw0rd-not-used"}],
        )["BrokerId"]
        return [mq.describe_broker(BrokerId=made["id"])["BrokerArn"]]

    def remove(client_for, region):
        client_for("mq", region).delete_broker(BrokerId=made["id"])

    holds_to_the_contract("mq.amazonaws.com", make, remove)

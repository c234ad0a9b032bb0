"""AWS CloudHSM's reader (roles/aws/readers/cloudhsm.py) against the emulator."""

from tests.support.catalogue import holds_to_the_contract


def test_a_cluster_blocks_the_role_until_it_is_deleted(emulator):
    made = {}

    def make(client_for, region):
        made.update(
            client_for("cloudhsmv2", region).create_cluster(
                HsmType="hsm2m.medium", SubnetIds=["subnet-0123456789abcdef0"]
            )["Cluster"]
        )
        return [f"arn:aws:cloudhsm:{region}:222222222222:cluster/{made['ClusterId']}"]

    def remove(client_for, region):
        client_for("cloudhsmv2", region).delete_cluster(ClusterId=made["ClusterId"])

    holds_to_the_contract("cloudhsm.amazonaws.com", make, remove)

"""DynamoDB Accelerator's reader (roles/aws/readers/dax.py) against the emulator."""

from botocore.exceptions import ClientError

from tests.support.catalogue import holds_to_the_contract

ROLE = "arn:aws:iam::222222222222:role/dax-reads-dynamodb"


def _gone(dax, name: str) -> None:
    """Wait out the cluster's "deleting" state, as a waiter would: until then
    DescribeClusters still lists it."""
    for _ in range(20):
        try:
            dax.describe_clusters(ClusterNames=[name])
        except ClientError as exc:
            assert exc.response["Error"]["Code"] == "ClusterNotFoundFault", exc
            return
    raise AssertionError(f"{name} is still there")


def test_a_cluster_blocks_the_role_until_it_is_deleted(emulator):
    def make(client_for, region):
        cluster = client_for("dax", region).create_cluster(
            ClusterName="sessions", NodeType="dax.t3.small", ReplicationFactor=1, IamRoleArn=ROLE
        )["Cluster"]
        return [cluster["ClusterArn"]]

    def remove(client_for, region):
        dax = client_for("dax", region)
        dax.delete_cluster(ClusterName="sessions")
        _gone(dax, "sessions")

    predicted = holds_to_the_contract("dax.amazonaws.com", make, remove)
    assert predicted[0]["Resources"] == ["arn:aws:dax:eu-west-1:222222222222:cache/sessions"]

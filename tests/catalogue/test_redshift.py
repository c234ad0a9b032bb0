"""Amazon Redshift's reader (roles/aws/readers/redshift.py) against the emulator."""

from tests.support.catalogue import holds_to_the_contract


def test_a_cluster_blocks_the_role_until_it_is_deleted(emulator):
    def make(client_for, region):
        cluster = client_for("redshift", region).create_cluster(
            ClusterIdentifier="analytics",
            NodeType="ra3.xlplus",
            MasterUsername="admin",
            MasterUserPassword="Passw0rd-not-used",
        )["Cluster"]
        assert cluster["ClusterIdentifier"] == "analytics"
        return [f"arn:aws:redshift:{region}:222222222222:cluster:analytics"]

    def remove(client_for, region):
        client_for("redshift", region).delete_cluster(
            ClusterIdentifier="analytics", SkipFinalClusterSnapshot=True
        )

    holds_to_the_contract("redshift.amazonaws.com", make, remove)

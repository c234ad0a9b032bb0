"""Amazon EMR: "You can delete the role only after you terminate all EMR clusters in the
account." (docs/catalogue.md). ListClusters, asked for the clusters in every state but
TERMINATED and TERMINATED_WITH_ERRORS (a TERMINATING cluster still counts: it is not
terminated yet). It takes no page size: AWS returns at most 50 a page, with a marker."""

from roles.aws.listing import Listing, reader

# ClusterState in the EMR API reference, less the two terminated states.
NOT_TERMINATED = ["STARTING", "BOOTSTRAPPING", "RUNNING", "WAITING", "TERMINATING"]

READERS = {
    "elasticmapreduce.amazonaws.com": reader(
        Listing(
            "emr",
            "list_clusters",
            "elasticmapreduce:ListClusters",
            "Clusters",
            "EMR cluster",
            name="Id",
            arn="ClusterArn",
            token_in="Marker",
            token_out="Marker",
            page_size=50,
            params={"ClusterStates": NOT_TERMINATED},
        ),
        found="no EMR cluster that is not terminated",
    ),
}

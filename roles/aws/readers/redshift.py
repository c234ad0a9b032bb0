"""Amazon Redshift: "you must shut down and delete any clusters in the account"
(docs/catalogue.md). DescribeClusters, 100 a page; an item carries no cluster ARN, so
it is built in the form the Redshift guide gives."""

from roles.aws.listing import Listing, reader

READERS = {
    "redshift.amazonaws.com": reader(
        Listing(
            "redshift",
            "describe_clusters",
            "redshift:DescribeClusters",
            "Clusters",
            "Redshift cluster",
            name="ClusterIdentifier",
            arn="arn:{partition}:redshift:{region}:{account}:cluster:{ClusterIdentifier}",
            status="ClusterStatus",
            token_in="Marker",
            token_out="Marker",
            page_param="MaxRecords",
            page_size=100,
        ),
        found="no Redshift cluster",
    ),
}

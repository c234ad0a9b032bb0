"""DynamoDB Accelerator (DAX): "you must delete all of your DAX clusters before you can
delete the service-linked role" (docs/catalogue.md). DescribeClusters, 100 a page (the
API's MaxResults runs from 20 to 100); each item carries its ClusterArn."""

from roles.aws.listing import Listing, reader

READERS = {
    "dax.amazonaws.com": reader(
        Listing(
            "dax",
            "describe_clusters",
            "dax:DescribeClusters",
            "Clusters",
            "DAX cluster",
            name="ClusterName",
            arn="ClusterArn",
            status="Status",
            token_in="NextToken",
            token_out="NextToken",
            page_param="MaxResults",
            page_size=100,
        ),
        found="no DAX cluster",
    ),
}

"""AWS CloudHSM: "You cannot delete a service-linked role as long as a cluster to which it
has been applied still exists. ... Every cluster in your account must be deleted"
(docs/catalogue.md). DescribeClusters (boto3's cloudhsmv2 client; IAM prefix and
signing name "cloudhsm"), 25 a page. A cluster carries no ARN, so it is built in the
form the Service Authorization Reference gives; one in state DELETED no longer exists
and does not count."""

from roles.aws.listing import Listing, reader

READERS = {
    "cloudhsm.amazonaws.com": reader(
        Listing(
            "cloudhsmv2",
            "describe_clusters",
            "cloudhsm:DescribeClusters",
            "Clusters",
            "CloudHSM cluster",
            name="ClusterId",
            arn="arn:{partition}:cloudhsm:{region}:{account}:cluster/{ClusterId}",
            status="State",
            token_in="NextToken",
            token_out="NextToken",
            page_param="MaxResults",
            page_size=25,
            keep=lambda cluster: cluster.get("State") != "DELETED",
        ),
        found="no CloudHSM cluster",
    ),
}

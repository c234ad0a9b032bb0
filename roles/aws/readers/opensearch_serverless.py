"""Amazon OpenSearch Serverless: "To delete the AWSServiceRoleForAmazonOpenSearchServerless,
you must first delete all OpenSearch Serverless collections in your AWS account"
(docs/catalogue.md). ListCollections, 100 a page, in every Region (collections are
regional); its IAM prefix and signing name are "aoss"."""

from roles.aws.listing import Listing, reader

READERS = {
    "observability.aoss.amazonaws.com": reader(
        Listing(
            "opensearchserverless",
            "list_collections",
            "aoss:ListCollections",
            "collectionSummaries",
            "OpenSearch Serverless collection",
            name="name",
            arn="arn",
            status="status",
            token_in="nextToken",
            token_out="nextToken",
            page_param="maxResults",
            page_size=100,
        ),
        found="no OpenSearch Serverless collection",
    ),
}

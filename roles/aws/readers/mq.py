"""Amazon MQ: "To delete Amazon MQ resources used by the AWSServiceRoleForAmazonMQ:
Delete your Amazon MQ brokers" (docs/catalogue.md). ListBrokers, 100 a page (MaxResults
5 to 100); a broker in DELETION_IN_PROGRESS still exists, and still counts."""

from roles.aws.listing import Listing, reader

READERS = {
    "mq.amazonaws.com": reader(
        Listing(
            "mq",
            "list_brokers",
            "mq:ListBrokers",
            "BrokerSummaries",
            "Amazon MQ broker",
            name="BrokerName",
            arn="BrokerArn",
            status="BrokerState",
            token_in="NextToken",
            token_out="NextToken",
            page_param="MaxResults",
            page_size=100,
        ),
        found="no Amazon MQ broker",
    ),
}

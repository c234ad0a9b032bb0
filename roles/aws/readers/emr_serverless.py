"""Amazon EMR Serverless: "delete all EMR Serverless applications in all Regions before
delete the service-linked role" (docs/catalogue.md). ListApplications, 50 a page; a
deleted application stays listed as TERMINATED for a while and no longer counts."""

from roles.aws.listing import Listing, reader

READERS = {
    "ops.emr-serverless.amazonaws.com": reader(
        Listing(
            "emr-serverless",
            "list_applications",
            "emr-serverless:ListApplications",
            "applications",
            "EMR Serverless application",
            name="id",
            arn="arn",
            status="state",
            token_in="nextToken",
            token_out="nextToken",
            page_param="maxResults",
            page_size=50,
            keep=lambda application: application.get("state") != "TERMINATED",
        ),
        found="no EMR Serverless application",
    ),
}

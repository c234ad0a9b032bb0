"""AWS Service Catalog AppRegistry: "you must first disassociate all resources from
applications. Next disassociate all attribute groups form applications. Then you can
delete the applications." (docs/catalogue.md). ListApplications, 100 a page; each summary
carries its ARN. AppRegistry signs as Service Catalog, hence the servicecatalog action."""

from roles.aws.listing import Listing, reader

READERS = {
    "servicecatalog-appregistry.amazonaws.com": reader(
        Listing(
            "servicecatalog-appregistry",
            "list_applications",
            "servicecatalog:ListApplications",
            "applications",
            "AppRegistry application",
            name="name",
            arn="arn",
            token_in="nextToken",
            token_out="nextToken",
            page_param="maxResults",
            page_size=100,
        ),
        found="no AppRegistry application",
    ),
}

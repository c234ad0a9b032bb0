"""Amazon WorkSpaces Web (WorkSpaces Secure Browser): "If you use the console, delete all
of your portals on the console" (docs/catalogue.md). ListPortals: its maxResults has no
maximum in the API's model, so no page size is asked for and nextToken is followed; each
portal carries its ARN."""

from roles.aws.listing import Listing, reader

READERS = {
    "workspaces-web.amazonaws.com": reader(
        Listing(
            "workspaces-web",
            "list_portals",
            "workspaces-web:ListPortals",
            "portals",
            "WorkSpaces Web portal",
            name="portalArn",  # displayName is optional; a portal has no other id
            arn="portalArn",
            status="portalStatus",
            token_in="nextToken",
            token_out="nextToken",
            some_regions=True,  # offered in some Regions only (roles/aws/listing.py)
        ),
        found="no WorkSpaces Web portal",
    ),
}

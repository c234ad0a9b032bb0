"""AWS Directory Service: "you must clean up the resources for your service-linked role
before you can manually delete it", and for that "To delete your directory, see
Deleting your AWS Managed Microsoft AD" (docs/catalogue.md). The page does not say which
directories use the role, so every directory counts. DescribeDirectories: its Limit has
no documented largest value (0 asks for the operation's own), so no page size is sent
and NextToken is followed. An item carries no ARN: it is built in the form the Service
Authorization Reference gives for a directory. A directory already deleted holds nothing.
"""

from roles.aws.listing import Listing, reader

READERS = {
    "ds.amazonaws.com": reader(
        Listing(
            "ds",
            "describe_directories",
            "ds:DescribeDirectories",
            "DirectoryDescriptions",
            "Directory",
            name="DirectoryId",
            arn="arn:{partition}:ds:{region}:{account}:directory/{DirectoryId}",
            status="Stage",
            token_in="NextToken",
            token_out="NextToken",
            keep=lambda item: item.get("Stage") != "Deleted",
        ),
        found="no directory",
    ),
}

"""Amazon EFS: "You can delete the Amazon EFS service-linked role only after first
deleting your Amazon EFS file systems" (docs/catalogue.md). DescribeFileSystems, 100 a
page (MaxItems, the Marker it hands back as NextMarker); each item carries its
FileSystemArn."""

from roles.aws.listing import Listing, reader

READERS = {
    "elasticfilesystem.amazonaws.com": reader(
        Listing(
            "efs",
            "describe_file_systems",
            "elasticfilesystem:DescribeFileSystems",
            "FileSystems",
            "EFS file system",
            name="FileSystemId",
            arn="FileSystemArn",
            status="LifeCycleState",
            token_in="Marker",
            token_out="NextMarker",
            page_param="MaxItems",
            page_size=100,
        ),
        found="no EFS file system",
    ),
}

"""Amazon FSx: "you must delete all of your file systems and backups before you can
manually delete the service-linked role" (docs/catalogue.md), for AWSServiceRoleForAmazonFSx
(every FSx type shares it) and, the Lustre guide says the same, for each Lustre file
system's AWSServiceRoleForFSxS3Access_<file-system-id>. DescribeFileSystems and
DescribeBackups, 2147483647 a page (MaxResults' documented maximum); each item carries
its ResourceARN.

The guide does not say that the S3-access role is held only by its own file system, so
it is read by the guide's rule, as the shared role is."""

from roles.aws.listing import Listing, reader


def _listing(method: str, action: str, items: str, kind: str, name: str) -> Listing:
    return Listing(
        "fsx",
        method,
        action,
        items,
        kind,
        name=name,
        arn="ResourceARN",
        status="Lifecycle",
        token_in="NextToken",
        token_out="NextToken",
        page_param="MaxResults",
        page_size=2147483647,
    )


FILE_SYSTEMS = _listing(
    "describe_file_systems",
    "fsx:DescribeFileSystems",
    "FileSystems",
    "FSx file system",
    "FileSystemId",
)
BACKUPS = _listing("describe_backups", "fsx:DescribeBackups", "Backups", "FSx backup", "BackupId")

READERS = {
    principal: reader(FILE_SYSTEMS, BACKUPS, found="no FSx file system or backup")
    for principal in ("fsx.amazonaws.com", "s3.data-source.lustre.fsx.amazonaws.com")
}

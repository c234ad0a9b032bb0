"""AWS Batch: "delete all of the AWS Batch compute environments that use the role in all
AWS Regions" (docs/catalogue.md). DescribeComputeEnvironments, 100 a page; each item
carries its computeEnvironmentArn and the serviceRole it uses (an environment created
without one uses AWSServiceRoleForBatch, and names it there), so only the environments
that name this role count."""

from roles.aws.listing import Listing, reader

READERS = {
    "batch.amazonaws.com": reader(
        Listing(
            "batch",
            "describe_compute_environments",
            "batch:DescribeComputeEnvironments",
            "computeEnvironments",
            "Compute environment",
            name="computeEnvironmentName",
            arn="computeEnvironmentArn",
            status="state",
            token_in="nextToken",
            token_out="nextToken",
            page_param="maxResults",
            page_size=100,
            role="serviceRole",
        ),
        found="no compute environment that uses the role",
        per_role=True,
    ),
}

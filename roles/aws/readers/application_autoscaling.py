"""Application Auto Scaling: one role per scalable resource type, each deletable "only
after first deleting the related AWS resources" (docs/catalogue.md). The resources that
use a type's role are the scalable targets registered in its namespace:
DescribeScalableTargets (ServiceNamespace required), 50 a page."""

from roles.aws.listing import Listing, reader

# Service principal's first label -> DescribeScalableTargets' ServiceNamespace.
NAMESPACES = (
    "appstream",
    "cassandra",
    "comprehend",
    "custom-resource",
    "dynamodb",
    "ec2",
    "ecs",
    "elasticache",
    "kafka",
    "lambda",
    "neptune",
    "rds",
    "sagemaker",
)


def _targets(namespace: str) -> Listing:
    return Listing(
        "application-autoscaling",
        "describe_scalable_targets",
        "application-autoscaling:DescribeScalableTargets",
        "ScalableTargets",
        "Scalable target",
        name="ResourceId",
        arn="ScalableTargetARN",
        token_in="NextToken",
        token_out="NextToken",
        page_param="MaxResults",
        page_size=50,
        params={"ServiceNamespace": namespace},
    )


READERS = {
    f"{namespace}.application-autoscaling.amazonaws.com": reader(
        _targets(namespace), found=f"no scalable target registered in the {namespace} namespace"
    )
    for namespace in NAMESPACES
}

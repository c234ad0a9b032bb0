"""Application Auto Scaling: each scalable resource type's role is held by the scalable
targets registered in its namespace, in each Region."""

from moto.applicationautoscaling.models import applicationautoscaling_backends

from . import per_region

# Namespace -> the role's suffix, as the Application Auto Scaling guide names them.
SUFFIXES = {
    "appstream": "AppStreamFleet",
    "cassandra": "CassandraTable",
    "comprehend": "ComprehendEndpoint",
    "custom-resource": "CustomResource",
    "dynamodb": "DynamoDBTable",
    "ec2": "EC2SpotFleetRequest",
    "ecs": "ECSService",
    "elasticache": "ElastiCacheRG",
    "kafka": "KafkaCluster",
    "lambda": "LambdaConcurrency",
    "neptune": "NeptuneCluster",
    "rds": "RDSCluster",
    "sagemaker": "SageMakerEndpoint",
}
ROLES = [
    (f"{ns}.application-autoscaling.amazonaws.com", f"AWSServiceRoleForApplicationAutoScaling_{s}")
    for ns, s in SUFFIXES.items()
]


def _targets(namespace: str):
    def check(task) -> list[dict]:
        return per_region(
            applicationautoscaling_backends,
            task.account,
            lambda b: (
                t.arn
                for dimensions in b.targets.values()
                for t in dimensions.values()
                if t.service_namespace == namespace
            ),
        )

    return check


CHECKS = {f"{ns}.application-autoscaling.amazonaws.com": _targets(ns) for ns in SUFFIXES}

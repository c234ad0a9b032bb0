"""Catalogue of the service-linked roles the emulator knows, with their AWS managed policies.

Each entry gives the role name AWS uses for a service principal, the AWS managed
policy AWS attaches to it (created under ``arn:aws:iam::aws:policy/aws-service-role/``)
and the default description AWS writes.  The policy documents themselves are in
``policy_documents.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from . import linked
from .policy_documents import MANAGED_POLICIES

__all__ = ["CATALOGUE", "MANAGED_POLICIES", "WITH_POLICY", "LinkedService"]

MANAGED_POLICY_PATH = "/aws-service-role/"


@dataclass(frozen=True)
class LinkedService:
    principal: str
    role_name: str
    policy_name: str  # "" for the catalogue's services (emulator/linked/): none attached
    description: str
    # Only some services accept CustomSuffix (Auto Scaling does, ECS does not).
    allows_suffix: bool = False


CATALOGUE: dict[str, LinkedService] = {
    s.principal: s
    for s in [
        LinkedService(
            "ecs.amazonaws.com",
            "AWSServiceRoleForECS",
            "AmazonECSServiceRolePolicy",
            "Role to enable Amazon ECS to manage your cluster.",
        ),
        LinkedService(
            "elasticloadbalancing.amazonaws.com",
            "AWSServiceRoleForElasticLoadBalancing",
            "AWSElasticLoadBalancingServiceRolePolicy",
            "Allows ELB to call AWS services on your behalf.",
        ),
        LinkedService(
            "autoscaling.amazonaws.com",
            "AWSServiceRoleForAutoScaling",
            "AutoScalingServiceRolePolicy",
            "Default Service-Linked Role enables access to AWS Services and "
            "Resources used or managed by Auto Scaling",
            allows_suffix=True,
        ),
        LinkedService(
            "rds.amazonaws.com",
            "AWSServiceRoleForRDS",
            "AmazonRDSServiceRolePolicy",
            "Allows Amazon RDS to manage AWS resources on your behalf",
        ),
        LinkedService(
            "organizations.amazonaws.com",
            "AWSServiceRoleForOrganizations",
            "AWSOrganizationsServiceTrustPolicy",
            "Service-linked role used by AWS Organizations to enable integration "
            "of other AWS services with Organizations.",
        ),
        LinkedService(
            "trustedadvisor.amazonaws.com",
            "AWSServiceRoleForTrustedAdvisor",
            "AWSTrustedAdvisorServiceRolePolicy",
            "Access for the AWS Trusted Advisor Service to help reduce cost, "
            "increase performance, and improve security of your AWS environment.",
        ),
        LinkedService(
            "support.amazonaws.com",
            "AWSServiceRoleForSupport",
            "AWSSupportServiceRolePolicy",
            "Enables resource access for AWS to provide billing, administrative "
            "and support services",
        ),
        LinkedService(
            "config.amazonaws.com", "AWSServiceRoleForConfig", "AWSConfigServiceRolePolicy", ""
        ),
        LinkedService(
            "guardduty.amazonaws.com",
            "AWSServiceRoleForAmazonGuardDuty",
            "AmazonGuardDutyServiceRolePolicy",
            "A service-linked role required for Amazon GuardDuty to access your resources. ",
        ),
        LinkedService(
            "securityhub.amazonaws.com",
            "AWSServiceRoleForSecurityHub",
            "AWSSecurityHubServiceRolePolicy",
            "A service-linked role required for AWS Security Hub to access your resources.",
        ),
        LinkedService(
            "sso.amazonaws.com",
            "AWSServiceRoleForSSO",
            "AWSSSOServiceRolePolicy",
            "Service-linked role used by AWS SSO to manage AWS resources, including "
            "IAM roles, policies and SAML IdP on your behalf.",
        ),
        LinkedService(
            "spot.amazonaws.com",
            "AWSServiceRoleForEC2Spot",
            "AWSEC2SpotServiceRolePolicy",
            "Default EC2 Spot Service Linked Role",
        ),
        LinkedService(
            "elasticache.amazonaws.com",
            "AWSServiceRoleForElastiCache",
            "ElastiCacheServiceRolePolicy",
            "This policy allows ElastiCache to manage AWS resources on your behalf "
            "as necessary for managing your cache.",
        ),
        LinkedService(
            "cloudtrail.amazonaws.com",
            "AWSServiceRoleForCloudTrail",
            "CloudTrailServiceRolePolicy",
            "",
        ),
        LinkedService(
            "access-analyzer.amazonaws.com",
            "AWSServiceRoleForAccessAnalyzer",
            "AccessAnalyzerServiceRolePolicy",
            "",
        ),
        LinkedService(
            "eks.amazonaws.com",
            "AWSServiceRoleForAmazonEKS",
            "AmazonEKSServiceRolePolicy",
            "Allows Amazon EKS to call AWS services on your behalf.",
        ),
    ]
}
# The services whose roles carry their managed policy, in order: the large scenario and
# the benchmarks build their accounts from these.
WITH_POLICY: tuple[str, ...] = tuple(CATALOGUE)

# The catalogue's services (emulator/linked/): their roles, with no managed policy.
for _principal, _name in linked.roles():
    if _principal in CATALOGUE:
        raise ValueError(f"{_principal} is catalogued twice (emulator/linked/)")
    CATALOGUE[_principal] = LinkedService(_principal, _name, "", "")
CATALOGUED: tuple[str, ...] = tuple(p for p in CATALOGUE if p not in WITH_POLICY)

# Display names Access Advisor uses for service namespaces.
SERVICE_NAMES: dict[str, str] = {
    "apigateway": "Amazon API Gateway",
    "autoscaling": "Amazon EC2 Auto Scaling",
    "autoscaling-plans": "AWS Auto Scaling",
    "cloudtrail": "AWS CloudTrail",
    "cloudwatch": "Amazon CloudWatch",
    "config": "AWS Config",
    "ec2": "Amazon EC2",
    "eks": "Amazon Elastic Kubernetes Service",
    "elasticloadbalancing": "Elastic Load Balancing",
    "iam": "AWS Identity and Access Management",
    "kinesis": "Amazon Kinesis",
    "kms": "AWS Key Management Service",
    "lambda": "AWS Lambda",
    "logs": "Amazon CloudWatch Logs",
    "organizations": "AWS Organizations",
    "rds": "Amazon RDS",
    "route53": "Amazon Route 53",
    "s3": "Amazon S3",
    "servicediscovery": "AWS Cloud Map",
    "sns": "Amazon SNS",
    "sts": "AWS Security Token Service",
}

# Access Advisor reports action-level data only for these namespaces.
ACTION_TRACKED_NAMESPACES = ("ec2", "iam", "lambda", "s3")

POLICY_CREATED = datetime(2017, 10, 19, 22, 6, 15, tzinfo=UTC)
POLICY_UPDATED = datetime(2023, 6, 28, 17, 11, 31, tzinfo=UTC)


def policy_arn(policy_name: str) -> str:
    return f"arn:aws:iam::aws:policy{MANAGED_POLICY_PATH}{policy_name}"


def trust_policy(principal: str) -> dict:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": principal}, "Action": "sts:AssumeRole"}
        ],
    }


def policy_document(policy_name: str) -> dict:
    return {"Version": "2012-10-17", "Statement": MANAGED_POLICIES[policy_name]}


def namespaces(document: dict) -> list[str]:
    """Service namespaces a policy document grants actions in, sorted."""
    found: set[str] = set()
    statements = document.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    for statement in statements:
        actions = statement.get("Action", [])
        if isinstance(actions, str):
            actions = [actions]
        for action in actions:
            if ":" in action:
                found.add(action.split(":", 1)[0])
    return sorted(found)


def concrete_actions(document: dict, namespace: str) -> list[str]:
    """Actions without wildcards in one namespace, for action-level Access Advisor data."""
    names: set[str] = set()
    statements = document.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    for statement in statements:
        actions = statement.get("Action", [])
        if isinstance(actions, str):
            actions = [actions]
        for action in actions:
            prefix, _, name = action.partition(":")
            if prefix == namespace and "*" not in name:
                names.add(name)
    return sorted(names)

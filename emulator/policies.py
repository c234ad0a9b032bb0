"""Catalogue of the service-linked roles the emulator knows, with their AWS managed policies.

Each entry gives the role name AWS uses for a service principal, the AWS managed
policy AWS attaches to it (created under ``arn:aws:iam::aws:policy/aws-service-role/``)
and the default description AWS writes.  The ECS policy is the full
``AmazonECSServiceRolePolicy`` from the AWS ECS guide; the others are shortened
but keep the real statement shape and action namespaces, which is what Access
Advisor data is derived from.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

MANAGED_POLICY_PATH = "/aws-service-role/"


@dataclass(frozen=True)
class LinkedService:
    principal: str
    role_name: str
    policy_name: str
    description: str
    # Only some services accept CustomSuffix (Auto Scaling does, ECS does not).
    allows_suffix: bool = False


def _allow(sid: str, actions: list[str], resource: str | list[str] = "*", **extra) -> dict:
    statement = {"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": resource}
    statement.update(extra)
    return statement


ECS_POLICY = [
    _allow(
        "ECSTaskManagement",
        [
            "ec2:AttachNetworkInterface",
            "ec2:CreateNetworkInterface",
            "ec2:CreateNetworkInterfacePermission",
            "ec2:DeleteNetworkInterface",
            "ec2:DeleteNetworkInterfacePermission",
            "ec2:Describe*",
            "ec2:DetachNetworkInterface",
            "elasticloadbalancing:DeregisterInstancesFromLoadBalancer",
            "elasticloadbalancing:DeregisterTargets",
            "elasticloadbalancing:Describe*",
            "elasticloadbalancing:RegisterInstancesWithLoadBalancer",
            "elasticloadbalancing:RegisterTargets",
            "route53:ChangeResourceRecordSets",
            "route53:CreateHealthCheck",
            "route53:DeleteHealthCheck",
            "route53:Get*",
            "route53:List*",
            "route53:UpdateHealthCheck",
            "servicediscovery:DeregisterInstance",
            "servicediscovery:Get*",
            "servicediscovery:List*",
            "servicediscovery:RegisterInstance",
            "servicediscovery:UpdateInstanceCustomHealthStatus",
        ],
    ),
    _allow("AutoScaling", ["autoscaling:Describe*"]),
    _allow(
        "AutoScalingManagement",
        [
            "autoscaling:DeletePolicy",
            "autoscaling:PutScalingPolicy",
            "autoscaling:SetInstanceProtection",
            "autoscaling:UpdateAutoScalingGroup",
        ],
        Condition={"Null": {"autoscaling:ResourceTag/AmazonECSManaged": "false"}},
    ),
    _allow(
        "AutoScalingPlanManagement",
        [
            "autoscaling-plans:CreateScalingPlan",
            "autoscaling-plans:DeleteScalingPlan",
            "autoscaling-plans:DescribeScalingPlans",
        ],
    ),
    _allow(
        "CWAlarmManagement",
        ["cloudwatch:DeleteAlarms", "cloudwatch:DescribeAlarms", "cloudwatch:PutMetricAlarm"],
        "arn:aws:cloudwatch:*:*:alarm:*",
    ),
    _allow("ECSTagging", ["ec2:CreateTags"], "arn:aws:ec2:*:*:network-interface/*"),
    _allow(
        "CWLogGroupManagement",
        ["logs:CreateLogGroup", "logs:DescribeLogGroups", "logs:PutRetentionPolicy"],
        "arn:aws:logs:*:*:log-group:/aws/ecs/*",
    ),
    _allow(
        "CWLogStreamManagement",
        ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
        "arn:aws:logs:*:*:log-group:/aws/ecs/*:log-stream:*",
    ),
]

# Shortened versions of the real policies: same statement ids and namespaces.
OTHER_POLICIES: dict[str, list[dict]] = {
    "AWSElasticLoadBalancingServiceRolePolicy": [
        _allow(
            "ELBManagement",
            [
                "ec2:DescribeAddresses",
                "ec2:DescribeInstances",
                "ec2:DescribeSubnets",
                "ec2:CreateNetworkInterface",
                "ec2:DeleteNetworkInterface",
                "logs:CreateLogDelivery",
                "logs:DeleteLogDelivery",
            ],
        )
    ],
    "AutoScalingServiceRolePolicy": [
        _allow(
            "EC2InstanceManagement",
            [
                "ec2:RunInstances",
                "ec2:TerminateInstances",
                "ec2:DescribeInstances",
                "ec2:CreateTags",
            ],
        ),
        _allow(
            "ELBManagement", ["elasticloadbalancing:Register*", "elasticloadbalancing:Deregister*"]
        ),
        _allow(
            "CWManagement",
            ["cloudwatch:DeleteAlarms", "cloudwatch:DescribeAlarms", "cloudwatch:PutMetricAlarm"],
        ),
        _allow("SNSManagement", ["sns:Publish"]),
    ],
    "AmazonRDSServiceRolePolicy": [
        _allow(
            "EC2Networking",
            [
                "ec2:AuthorizeSecurityGroupIngress",
                "ec2:CreateNetworkInterface",
                "ec2:DescribeSecurityGroups",
                "ec2:DeleteNetworkInterface",
            ],
        ),
        _allow("CloudWatchMetrics", ["cloudwatch:PutMetricData"]),
        _allow(
            "CloudWatchLogs",
            ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            "arn:aws:logs:*:*:log-group:/aws/rds/*",
        ),
        _allow(
            "KinesisStreams",
            ["kinesis:CreateStream", "kinesis:PutRecord"],
            "arn:aws:kinesis:*:*:stream/aws-rds-das-*",
        ),
    ],
    "AWSOrganizationsServiceTrustPolicy": [
        _allow(
            "AllowDeletionOfServiceLinkedRoleForOrganizations",
            ["iam:DeleteRole"],
            "arn:aws:iam::*:role/aws-service-role/organizations.amazonaws.com/*",
        ),
        _allow("AllowCreationOfServiceLinkedRoles", ["iam:CreateServiceLinkedRole"]),
    ],
    "AWSTrustedAdvisorServiceRolePolicy": [
        _allow(
            "TrustedAdvisorServiceRolePermissions",
            [
                "ec2:Describe*",
                "rds:Describe*",
                "s3:GetBucketAcl",
                "s3:ListAllMyBuckets",
                "iam:GenerateCredentialReport",
                "iam:GetAccountSummary",
                "cloudtrail:DescribeTrails",
                "autoscaling:Describe*",
            ],
        ),
    ],
    "AWSSupportServiceRolePolicy": [
        _allow(
            "AWSSupportAPIGatewayAccess",
            ["apigateway:GET"],
            ["arn:aws:apigateway:*::/account", "arn:aws:apigateway:*::/apis"],
        ),
        _allow(
            "AWSSupportRead",
            [
                "ec2:Describe*",
                "iam:Get*",
                "iam:List*",
                "s3:GetBucket*",
                "lambda:List*",
                "cloudtrail:DescribeTrails",
            ],
        ),
    ],
    "AWSConfigServiceRolePolicy": [
        _allow(
            "AWSConfigServiceRolePolicyStatementID",
            [
                "ec2:Describe*",
                "iam:GetRole",
                "iam:ListRoles",
                "s3:GetBucketPolicy",
                "lambda:GetFunction",
                "rds:DescribeDBInstances",
                "config:Put*",
            ],
        ),
    ],
    "AmazonGuardDutyServiceRolePolicy": [
        _allow(
            "GuardDutyGetDescribeListPolicy",
            [
                "ec2:DescribeInstances",
                "ec2:DescribeImages",
                "ec2:DescribeVpcEndpoints",
                "s3:GetBucketPublicAccessBlock",
                "s3:ListAllMyBuckets",
                "organizations:DescribeAccount",
                "lambda:ListFunctions",
            ],
        ),
    ],
    "AWSSecurityHubServiceRolePolicy": [
        _allow(
            "SecurityHubServiceRolePermissions",
            [
                "cloudtrail:DescribeTrails",
                "config:PutConfigRule",
                "config:DescribeConfigRules",
                "iam:GetAccountSummary",
                "s3:GetBucketLogging",
                "organizations:ListAccounts",
            ],
        ),
    ],
    "AWSSSOServiceRolePolicy": [
        _allow(
            "IAMRoleProvisioningActions",
            [
                "iam:AttachRolePolicy",
                "iam:CreateRole",
                "iam:PutRolePolicy",
                "iam:UpdateRole",
                "iam:UpdateAssumeRolePolicy",
            ],
            "arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*",
        ),
        _allow(
            "IAMSLRCleanupActions",
            ["iam:DeleteServiceLinkedRole", "iam:GetRole"],
            "arn:aws:iam::*:role/aws-service-role/sso.amazonaws.com/AWSServiceRoleForSSO",
        ),
        _allow("AllowOrganizations", ["organizations:DescribeOrganization"]),
    ],
    "AWSEC2SpotServiceRolePolicy": [
        _allow(
            "AllowEC2SpotActions",
            [
                "ec2:DescribeInstances",
                "ec2:StartInstances",
                "ec2:StopInstances",
                "ec2:RunInstances",
                "ec2:CreateTags",
            ],
        ),
    ],
    "ElastiCacheServiceRolePolicy": [
        _allow(
            "ElastiCacheManagementActions",
            [
                "ec2:AuthorizeSecurityGroupIngress",
                "ec2:CreateNetworkInterface",
                "ec2:DeleteNetworkInterface",
                "ec2:DescribeSubnets",
                "cloudwatch:PutMetricData",
            ],
        ),
    ],
    "CloudTrailServiceRolePolicy": [
        _allow(
            "CloudTrailOrganizationsRead",
            [
                "organizations:DescribeAccount",
                "organizations:DescribeOrganization",
                "organizations:ListAccounts",
                "organizations:ListAWSServiceAccessForOrganization",
            ],
        ),
    ],
    "AccessAnalyzerServiceRolePolicy": [
        _allow(
            "AccessAnalyzerReadAccess",
            [
                "iam:GetRole",
                "iam:ListRoles",
                "s3:GetBucketPolicy",
                "s3:ListAllMyBuckets",
                "kms:ListKeys",
                "lambda:GetPolicy",
                "organizations:ListAccounts",
            ],
        ),
    ],
}

MANAGED_POLICIES: dict[str, list[dict]] = {
    "AmazonECSServiceRolePolicy": ECS_POLICY,
    **OTHER_POLICIES,
}

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
    ]
}

# Display names Access Advisor uses for service namespaces.
SERVICE_NAMES: dict[str, str] = {
    "apigateway": "Amazon API Gateway",
    "autoscaling": "Amazon EC2 Auto Scaling",
    "autoscaling-plans": "AWS Auto Scaling",
    "cloudtrail": "AWS CloudTrail",
    "cloudwatch": "Amazon CloudWatch",
    "config": "AWS Config",
    "ec2": "Amazon EC2",
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

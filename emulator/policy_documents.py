"""The AWS managed policies attached to the catalogued service-linked roles.

The ECS policy is the full ``AmazonECSServiceRolePolicy`` from the AWS ECS guide; the
others are shortened but keep the real statement shape and action namespaces, which
is what Access Advisor data is derived from.  ``policies.py`` holds the catalogue
that names them.
"""

from __future__ import annotations


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
    # AWS's statements carry no Sid; these names are the emulator's.
    "AmazonEKSServiceRolePolicy": [
        _allow(
            "EKSNetworkInterfaces",
            [
                "ec2:CreateNetworkInterface",
                "ec2:DeleteNetworkInterface",
                "ec2:DetachNetworkInterface",
                "ec2:ModifyNetworkInterfaceAttribute",
                "ec2:CreateSecurityGroup",
                "ec2:CreateNetworkInterfacePermission",
            ],
        ),
        _allow(
            "EKSDescribe",
            [
                "ec2:DescribeInstances",
                "ec2:DescribeNetworkInterfaces",
                "ec2:DescribeSecurityGroups",
                "ec2:DescribeSubnets",
                "ec2:DescribeVpcs",
                "eks:DescribeCluster",
            ],
        ),
        _allow(
            "EKSRoleRead",
            ["iam:GetRole", "iam:ListAttachedRolePolicies"],
        ),
        _allow(
            "EKSSecurityGroups",
            [
                "ec2:AuthorizeSecurityGroupIngress",
                "ec2:RevokeSecurityGroupIngress",
                "ec2:DeleteSecurityGroup",
            ],
            "*",
            Condition={"StringLike": {"ec2:ResourceTag/aws:eks:cluster-name": "*"}},
        ),
        _allow(
            "EKSLogs",
            ["logs:CreateLogGroup", "logs:PutRetentionPolicy"],
            "arn:aws:logs:*:*:log-group:/aws/eks/*",
        ),
    ],
}

MANAGED_POLICIES: dict[str, list[dict]] = {
    "AmazonECSServiceRolePolicy": ECS_POLICY,
    **OTHER_POLICIES,
}

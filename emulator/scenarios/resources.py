"""Scenario building blocks for the resources that hold a service-linked role.

Load balancers, Auto Scaling groups, DB instances and clusters, cache clusters and
serverless caches, EKS clusters, GuardDuty detectors, Config recorders, Security Hub,
Access Analyzer analyzers, CloudTrail event data stores and what IAM Identity Center
keeps in an account, written straight into moto's backends (or the emulator's own
stores) as the API would create them.  Each returns the ARN that the deletion check
reports (``emulator/usage.py``).
"""

from __future__ import annotations

import json

import moto.eks.models as eks_models
from moto.autoscaling.models import autoscaling_backends
from moto.cloudtrail.models import cloudtrail_backends
from moto.config.models import config_backends
from moto.ec2.models import ec2_backends
from moto.eks.models import eks_backends
from moto.elasticache.models import elasticache_backends
from moto.elb.models import elb_backends
from moto.elbv2.models import elbv2_backends
from moto.guardduty.models import guardduty_backends
from moto.iam.models import iam_backends
from moto.rds.models import rds_backends
from moto.securityhub.models import securityhub_backends

from .. import policies
from ..patches import accessanalyzer, cloudtrail
from ..patches import elasticache as elasticache_patch

DB_PASSWORD = "correct-horse-battery"  # moto wants one; nobody reads it
SEEDED = "_rolecall_seeded"


def ec2(account: str, region: str):
    """The Region's EC2 backend, built from the scenario's seeded random source.

    Of the backends used here only EC2 draws random ids when it is built (the default
    VPC and subnets).  ``scenarios.load`` drops EC2 backends before moto's reset, so they
    are normally built here, after the seed; one that something rebuilt before the seed
    anyway is rebuilt once more, or every id drawn after it would differ between the
    first build and a reset.  Call it before touching the Region's ELB, Auto Scaling or
    RDS backends, which read EC2.
    """
    regions = ec2_backends[account]
    existed = region in regions.keys()
    backend = regions[region]
    if existed and not getattr(backend, SEEDED, False):
        backend.reset()  # clears the mark too: reset() empties the backend's __dict__
    setattr(backend, SEEDED, True)
    return backend


def slr_arn(account: str, principal: str, suffix: str = "") -> str:
    """The ARN of a catalogued service-linked role (as patches.iam names it)."""
    name = policies.CATALOGUE[principal].role_name + (f"_{suffix}" if suffix else "")
    return f"arn:aws:iam::{account}:role/aws-service-role/{principal}/{name}"


def load_balancer(account: str, region: str, name: str) -> str:
    """An Application Load Balancer in the default VPC's first two subnets."""
    subnets = sorted(ec2(account, region).get_default_subnets().items())
    balancer = elbv2_backends[account][region].create_load_balancer(
        name, [], [subnet.id for _, subnet in subnets[:2]], tags=[]
    )
    return balancer.arn


def classic_load_balancer(account: str, region: str, name: str) -> str:
    ec2(account, region)  # its default subnets
    elb_backends[account][region].create_load_balancer(
        name,
        [f"{region}a"],
        [{"Protocol": "HTTP", "LoadBalancerPort": 80, "InstancePort": 8080}],
    )
    return f"arn:aws:elasticloadbalancing:{region}:{account}:loadbalancer/{name}"


def auto_scaling_group(account: str, region: str, name: str, role_arn: str = "") -> str:
    """A group of desired capacity 0 (so no instances) from a launch configuration of
    its own name.  ``role_arn`` empty: AWS, and moto, assign AWSServiceRoleForAutoScaling."""
    ec2(account, region)  # before the Auto Scaling backend, which builds it otherwise
    backend = autoscaling_backends[account][region]
    backend.create_launch_configuration(
        name=name,
        image_id="ami-12c6146b",
        key_name=None,
        kernel_id="",
        ramdisk_id="",
        security_groups=[],
        user_data=None,
        instance_type="t3.micro",
        instance_monitoring=False,
        instance_profile_name=None,
        spot_price=None,
        ebs_optimized=False,
        associate_public_ip_address=False,
        block_device_mappings=[],
    )
    group = backend.create_auto_scaling_group(
        name=name,
        availability_zones=[f"{region}a"],
        desired_capacity=0,
        max_size=0,
        min_size=0,
        launch_config_name=name,
        launch_template={},
        vpc_zone_identifier=None,
        default_cooldown=None,
        health_check_period=None,
        health_check_type=None,
        load_balancers=[],
        target_group_arns=[],
        placement_group=None,
        termination_policies=[],
        tags=[],
    )
    if role_arn:
        group.service_linked_role_arn = role_arn  # as patches.autoscaling keeps it
    return group.arn


def db_instance(account: str, region: str, identifier: str, engine: str = "postgres") -> str:
    ec2(account, region)  # its default security group
    database = rds_backends[account][region].create_db_instance(
        {
            "db_instance_identifier": identifier,
            "db_instance_class": "db.t3.micro",
            "engine": engine,
            "allocated_storage": 20,
            "master_username": "admin",
            "master_user_password": DB_PASSWORD,
        }
    )
    return database.db_instance_arn


def db_cluster(account: str, region: str, identifier: str, engine: str) -> str:
    cluster = rds_backends[account][region].create_db_cluster(
        {
            "db_cluster_identifier": identifier,
            "engine": engine,
            "master_username": "admin",
            "master_user_password": DB_PASSWORD,
        }
    )
    return cluster.db_cluster_arn


def cache_cluster(account: str, region: str, cluster_id: str, engine: str = "redis") -> str:
    cluster = elasticache_backends[account][region].create_cache_cluster(
        cache_cluster_id=cluster_id,
        replication_group_id=None,
        az_mode=None,
        preferred_availability_zone=None,
        num_cache_nodes=1,
        cache_node_type="cache.t3.micro",
        engine=engine,
        engine_version=None,
        cache_parameter_group_name=None,
        cache_subnet_group_name=None,
        transit_encryption_enabled=False,
        network_type=None,
        ip_discovery=None,
        snapshot_name=None,
        preferred_maintenance_window=None,
        port=None,
        notification_topic_arn=None,
        auto_minor_version_upgrade=True,
        snapshot_retention_limit=0,
        snapshot_window=None,
        auth_token=None,
        outpost_mode=None,
        preferred_outpost_arn=None,
        preferred_availability_zones=[],
        cache_security_group_names=[],
        security_group_ids=[],
        tags=[],
        snapshot_arns=[],
        preferred_outpost_arns=[],
        log_delivery_configurations=[],
        cache_node_ids_to_remove=[],
        cache_node_ids_to_reboot=[],
    )
    return cluster.arn


def eks_cluster(account: str, region: str, name: str, cluster_role_arn: str) -> str:
    """``cluster_role_arn`` is the cluster's own IAM role, not the service-linked role."""
    # moto checks the role ARN's partition by building a boto3 session, about 0.15 s a
    # cluster; the scenarios' ARNs are well formed, so the check is skipped here.
    real = eks_models.validate_role_arn
    eks_models.validate_role_arn = lambda arn: None
    try:
        cluster = eks_backends[account][region].create_cluster(
            name=name, role_arn=cluster_role_arn, resources_vpc_config={"subnetIds": []}
        )
    finally:
        eks_models.validate_role_arn = real
    return cluster.arn


def detector(account: str, region: str, enabled: bool = True) -> str:
    detector_id = guardduty_backends[account][region].create_detector(
        enabled, "SIX_HOURS", {}, {}, []
    )
    return f"arn:aws:guardduty:{region}:{account}:detector/{detector_id}"


def serverless_cache(account: str, region: str, name: str) -> str:
    return elasticache_patch.create_serverless(elasticache_backends[account][region], name)["ARN"]


def recorder(account: str, region: str, name: str, role_arn: str) -> str:
    config_backends[account][region].put_configuration_recorder(
        {"name": name, "roleARN": role_arn, "recordingGroup": {"allSupported": True}}
    )
    return f"arn:aws:config:{region}:{account}:configuration-recorder/{name}"


def event_data_store(account: str, region: str, name: str, organization: bool = True) -> str:
    return cloudtrail.create(cloudtrail_backends[account][region], name, organization).arn


def identity_center_role(account: str, permission_set: str, suffix: str) -> str:
    """The role IAM Identity Center provisions in an account for a permission set."""
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": f"arn:aws:iam::{account}:saml-provider/AWSSSO_x"},
                "Action": ["sts:AssumeRoleWithSAML", "sts:TagSession"],
            }
        ],
    }
    role = iam_backends[account]["aws"].create_role(
        f"AWSReservedSSO_{permission_set}_{suffix}",
        json.dumps(trust),
        "/aws-reserved/sso.amazonaws.com/",
        permissions_boundary=None,
        description="",
        tags=[],
        max_session_duration="3600",
    )
    return role.arn


def identity_center_provider(account: str, suffix: str) -> str:
    """The SAML provider IAM Identity Center keeps in an account."""
    provider = iam_backends[account]["aws"].create_saml_provider(
        f"AWSSSO_{suffix}_DO_NOT_DELETE", "<EntityDescriptor/>"
    )
    return provider.arn


def security_hub(account: str, region: str) -> str:
    securityhub_backends[account][region].enable_security_hub()
    return f"arn:aws:securityhub:{region}:{account}:hub/default"


def analyzer(account: str, region: str, name: str, analyzer_type: str = "ACCOUNT") -> str:
    return accessanalyzer.create(account, region, name, analyzer_type).arn

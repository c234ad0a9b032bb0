"""Each linked service's own rule for what blocks deleting its role (docs/readiness.md).

Most tests create blocking resources in two regions, see the deletion task fail with
exactly those resources, remove them and see the next deletion succeed.
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

STAGING = "222222222222"
EAST, WEST = "us-east-1", "eu-west-1"
DEFAULT_ASG_ROLE = "AWSServiceRoleForAutoScaling"


@pytest.fixture
def deletes(aws, control):
    """Deletion tasks finish on the second status call."""
    control.set_deletion(mode="polls", polls=1)
    iam = aws.client("iam", account=STAGING)

    def outcome(role_name: str) -> tuple[str, list[dict]]:
        task_id = iam.delete_service_linked_role(RoleName=role_name)["DeletionTaskId"]
        for _ in range(5):
            answer = iam.get_service_linked_role_deletion_status(DeletionTaskId=task_id)
            if answer["Status"] in ("SUCCEEDED", "FAILED"):
                return answer["Status"], answer.get("Reason", {}).get("RoleUsageList", [])
        raise AssertionError(f"deletion of {role_name} never finished")

    return outcome


def client(aws, service: str, region: str):
    return aws.client(service, region=region, account=STAGING)


def role_arn(aws, role_name: str) -> str:
    return client(aws, "iam", EAST).get_role(RoleName=role_name)["Role"]["Arn"]


def assert_gone(aws, role_name: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        client(aws, "iam", EAST).get_role(RoleName=role_name)
    assert excinfo.value.response["Error"]["Code"] == "NoSuchEntity"


def test_load_balancers_of_every_kind_block_elastic_load_balancing(aws, deletes):
    ec2 = client(aws, "ec2", EAST)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=zone)["Subnet"]["SubnetId"]
        for cidr, zone in (("10.0.1.0/24", "us-east-1a"), ("10.0.2.0/24", "us-east-1b"))
    ]
    elbv2 = client(aws, "elbv2", EAST)
    application = elbv2.create_load_balancer(Name="web", Subnets=subnets)["LoadBalancers"][0]
    network = elbv2.create_load_balancer(Name="tcp", Subnets=subnets, Type="network")[
        "LoadBalancers"
    ][0]
    classic = client(aws, "elb", WEST)
    classic.create_load_balancer(
        LoadBalancerName="legacy",
        Listeners=[{"Protocol": "HTTP", "LoadBalancerPort": 80, "InstancePort": 8080}],
        AvailabilityZones=["eu-west-1a"],
    )

    assert deletes("AWSServiceRoleForElasticLoadBalancing") == (
        "FAILED",
        [
            {
                "Region": WEST,
                "Resources": [f"arn:aws:elasticloadbalancing:{WEST}:{STAGING}:loadbalancer/legacy"],
            },
            {
                "Region": EAST,
                "Resources": sorted([application["LoadBalancerArn"], network["LoadBalancerArn"]]),
            },
        ],
    )

    elbv2.delete_load_balancer(LoadBalancerArn=application["LoadBalancerArn"])
    elbv2.delete_load_balancer(LoadBalancerArn=network["LoadBalancerArn"])
    classic.delete_load_balancer(LoadBalancerName="legacy")
    assert deletes("AWSServiceRoleForElasticLoadBalancing") == ("SUCCEEDED", [])
    assert_gone(aws, "AWSServiceRoleForElasticLoadBalancing")


def create_group(aws, region: str, name: str, role: str | None = None) -> dict:
    autoscaling = client(aws, "autoscaling", region)
    autoscaling.create_launch_configuration(
        LaunchConfigurationName=name, ImageId="ami-12c6146b", InstanceType="t3.micro"
    )
    extra = {"ServiceLinkedRoleARN": role} if role else {}
    autoscaling.create_auto_scaling_group(
        AutoScalingGroupName=name,
        LaunchConfigurationName=name,
        MinSize=0,
        MaxSize=0,
        DesiredCapacity=0,
        AvailabilityZones=[f"{region}a"],
        **extra,
    )
    (group,) = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[name])[
        "AutoScalingGroups"
    ]
    return group


def delete_group(aws, group: dict) -> None:
    region = group["AutoScalingGroupARN"].split(":")[3]
    client(aws, "autoscaling", region).delete_auto_scaling_group(
        AutoScalingGroupName=group["AutoScalingGroupName"], ForceDelete=True
    )


def test_auto_scaling_groups_block_only_the_role_they_use(aws, deletes):
    iam = client(aws, "iam", EAST)
    nightly = iam.create_service_linked_role(
        AWSServiceName="autoscaling.amazonaws.com", CustomSuffix="nightly"
    )["Role"]
    default_east = create_group(aws, EAST, "web")
    default_west = create_group(aws, WEST, "web")
    nightly_east = create_group(aws, EAST, "nightly-east", nightly["Arn"])
    nightly_west = create_group(aws, WEST, "nightly-west", nightly["Arn"])
    # A group names its role; one that names none gets the default role.
    assert default_east["ServiceLinkedRoleARN"] == role_arn(aws, DEFAULT_ASG_ROLE)
    assert nightly_west["ServiceLinkedRoleARN"] == nightly["Arn"]

    assert deletes(DEFAULT_ASG_ROLE) == (
        "FAILED",
        [
            {"Region": WEST, "Resources": [default_west["AutoScalingGroupARN"]]},
            {"Region": EAST, "Resources": [default_east["AutoScalingGroupARN"]]},
        ],
    )
    nightly_usage = [
        {"Region": WEST, "Resources": [nightly_west["AutoScalingGroupARN"]]},
        {"Region": EAST, "Resources": [nightly_east["AutoScalingGroupARN"]]},
    ]
    assert deletes("AWSServiceRoleForAutoScaling_nightly") == ("FAILED", nightly_usage)

    delete_group(aws, default_east)
    delete_group(aws, default_west)
    assert deletes(DEFAULT_ASG_ROLE) == ("SUCCEEDED", [])
    assert_gone(aws, DEFAULT_ASG_ROLE)
    # The suffixed role's own groups still hold it.
    assert deletes("AWSServiceRoleForAutoScaling_nightly") == ("FAILED", nightly_usage)
    delete_group(aws, nightly_east)
    delete_group(aws, nightly_west)
    assert deletes("AWSServiceRoleForAutoScaling_nightly") == ("SUCCEEDED", [])
    assert_gone(aws, "AWSServiceRoleForAutoScaling_nightly")


def test_db_instances_and_clusters_block_rds(aws, deletes):
    rds_east, rds_west = client(aws, "rds", EAST), client(aws, "rds", WEST)
    instance = rds_east.create_db_instance(
        DBInstanceIdentifier="orders",
        Engine="postgres",
        DBInstanceClass="db.t3.micro",
        AllocatedStorage=20,
        MasterUsername="admin",
        MasterUserPassword="correct-horse-battery",
    )["DBInstance"]
    cluster = rds_west.create_db_cluster(
        DBClusterIdentifier="ledger",
        Engine="aurora-postgresql",
        MasterUsername="admin",
        MasterUserPassword="correct-horse-battery",
    )["DBCluster"]

    assert deletes("AWSServiceRoleForRDS") == (
        "FAILED",
        [
            {"Region": WEST, "Resources": [cluster["DBClusterArn"]]},
            {"Region": EAST, "Resources": [instance["DBInstanceArn"]]},
        ],
    )

    rds_east.delete_db_instance(DBInstanceIdentifier="orders", SkipFinalSnapshot=True)
    rds_west.delete_db_cluster(DBClusterIdentifier="ledger", SkipFinalSnapshot=True)
    assert deletes("AWSServiceRoleForRDS") == ("SUCCEEDED", [])
    assert_gone(aws, "AWSServiceRoleForRDS")


def test_cache_clusters_and_replication_groups_block_elasticache(aws, deletes):
    cache_east, cache_west = client(aws, "elasticache", EAST), client(aws, "elasticache", WEST)
    cluster = cache_east.create_cache_cluster(
        CacheClusterId="sessions", Engine="redis", CacheNodeType="cache.t3.micro", NumCacheNodes=1
    )["CacheCluster"]
    group = cache_west.create_replication_group(
        ReplicationGroupId="carts",
        ReplicationGroupDescription="carts",
        Engine="redis",
        CacheNodeType="cache.t3.micro",
    )["ReplicationGroup"]

    assert deletes("AWSServiceRoleForElastiCache") == (
        "FAILED",
        [
            {"Region": WEST, "Resources": [group["ARN"]]},
            {"Region": EAST, "Resources": [cluster["ARN"]]},
        ],
    )

    # The delete answers "deleting"; then the cluster and the group are gone (AWS: after a
    # few minutes; stock moto would list them as deleting forever).
    deleted = cache_east.delete_cache_cluster(CacheClusterId="sessions")["CacheCluster"]
    assert deleted["CacheClusterStatus"] == "deleting"
    deleted = cache_west.delete_replication_group(ReplicationGroupId="carts")["ReplicationGroup"]
    assert deleted["Status"] == "deleting"
    assert cache_east.describe_cache_clusters()["CacheClusters"] == []
    assert cache_west.describe_replication_groups()["ReplicationGroups"] == []
    assert deletes("AWSServiceRoleForElastiCache") == ("SUCCEEDED", [])
    assert_gone(aws, "AWSServiceRoleForElastiCache")


def test_clusters_block_eks(aws, deletes):
    # Staging has AWSServiceRoleForAmazonEKS and no cluster (demo scenario).  A cluster
    # runs as its own IAM role; any cluster holds the service-linked role.
    cluster_role = f"arn:aws:iam::{STAGING}:role/eks-cluster-role"
    eks_east, eks_west = client(aws, "eks", EAST), client(aws, "eks", WEST)
    vpc_config = {"subnetIds": []}
    east = eks_east.create_cluster(name="apps", roleArn=cluster_role, resourcesVpcConfig=vpc_config)
    west = eks_west.create_cluster(name="apps", roleArn=cluster_role, resourcesVpcConfig=vpc_config)

    assert deletes("AWSServiceRoleForAmazonEKS") == (
        "FAILED",
        [
            {"Region": WEST, "Resources": [f"arn:aws:eks:{WEST}:{STAGING}:cluster/apps"]},
            {"Region": EAST, "Resources": [f"arn:aws:eks:{EAST}:{STAGING}:cluster/apps"]},
        ],
    )
    assert east["cluster"]["arn"] == f"arn:aws:eks:{EAST}:{STAGING}:cluster/apps"
    assert west["cluster"]["arn"] == f"arn:aws:eks:{WEST}:{STAGING}:cluster/apps"

    eks_east.delete_cluster(name="apps")
    eks_west.delete_cluster(name="apps")
    assert deletes("AWSServiceRoleForAmazonEKS") == ("SUCCEEDED", [])
    assert_gone(aws, "AWSServiceRoleForAmazonEKS")


def test_detectors_enabled_or_suspended_block_guardduty(aws, deletes):
    east, west = client(aws, "guardduty", EAST), client(aws, "guardduty", WEST)
    enabled = east.create_detector(Enable=True)["DetectorId"]
    suspended = west.create_detector(Enable=False)["DetectorId"]

    assert deletes("AWSServiceRoleForAmazonGuardDuty") == (
        "FAILED",
        [
            {
                "Region": WEST,
                "Resources": [f"arn:aws:guardduty:{WEST}:{STAGING}:detector/{suspended}"],
            },
            {
                "Region": EAST,
                "Resources": [f"arn:aws:guardduty:{EAST}:{STAGING}:detector/{enabled}"],
            },
        ],
    )

    east.delete_detector(DetectorId=enabled)
    west.delete_detector(DetectorId=suspended)
    assert deletes("AWSServiceRoleForAmazonGuardDuty") == ("SUCCEEDED", [])
    assert_gone(aws, "AWSServiceRoleForAmazonGuardDuty")


def put_recorder(aws, region: str, name: str, role: str) -> None:
    client(aws, "config", region).put_configuration_recorder(
        ConfigurationRecorder={
            "name": name,
            "roleARN": role,
            "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": False},
        }
    )


def recorder(region: str, name: str) -> str:
    """A recorder in RoleUsageList: an ARN (moto keeps none, so no recorder id)."""
    return f"arn:aws:config:{region}:{STAGING}:configuration-recorder/{name}"


def test_recorders_using_the_role_block_config(aws, deletes):
    config_role = role_arn(aws, "AWSServiceRoleForConfig")
    put_recorder(aws, EAST, "default", config_role)
    put_recorder(aws, WEST, "audit", config_role)
    # A recorder with its own role does not use the service-linked role.
    put_recorder(aws, "ap-southeast-2", "default", f"arn:aws:iam::{STAGING}:role/ConfigRecorder")

    assert deletes("AWSServiceRoleForConfig") == (
        "FAILED",
        [
            {"Region": WEST, "Resources": [recorder(WEST, "audit")]},
            {"Region": EAST, "Resources": [recorder(EAST, "default")]},
        ],
    )

    client(aws, "config", EAST).delete_configuration_recorder(ConfigurationRecorderName="default")
    client(aws, "config", WEST).delete_configuration_recorder(ConfigurationRecorderName="audit")
    assert deletes("AWSServiceRoleForConfig") == ("SUCCEEDED", [])
    assert_gone(aws, "AWSServiceRoleForConfig")


def test_support_role_cannot_be_deleted(aws):
    iam = client(aws, "iam", EAST)
    with pytest.raises(ClientError) as excinfo:
        iam.delete_service_linked_role(RoleName="AWSServiceRoleForSupport")
    error = excinfo.value.response["Error"]
    assert (error["Code"], error["Message"]) == (
        "UnmodifiableEntity",
        "Cannot perform the operation on the protected role 'AWSServiceRoleForSupport' - "
        "this role is only modifiable by AWS",
    )
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert iam.get_role(RoleName="AWSServiceRoleForSupport")["Role"]["RoleName"] == (
        "AWSServiceRoleForSupport"
    )


def test_enabled_hubs_block_security_hub(aws, deletes):
    east, west = client(aws, "securityhub", EAST), client(aws, "securityhub", WEST)
    east.enable_security_hub()
    west.enable_security_hub()
    assert east.describe_hub()["HubArn"] == f"arn:aws:securityhub:{EAST}:{STAGING}:hub/default"

    assert deletes("AWSServiceRoleForSecurityHub") == (
        "FAILED",
        [
            {"Region": WEST, "Resources": [f"arn:aws:securityhub:{WEST}:{STAGING}:hub/default"]},
            {"Region": EAST, "Resources": [f"arn:aws:securityhub:{EAST}:{STAGING}:hub/default"]},
        ],
    )

    east.disable_security_hub()
    west.disable_security_hub()
    assert deletes("AWSServiceRoleForSecurityHub") == ("SUCCEEDED", [])
    assert_gone(aws, "AWSServiceRoleForSecurityHub")


def test_analyzers_of_any_type_block_access_analyzer(aws, deletes):
    # Staging has no Access Analyzer role: the first analyzer creates it, as in AWS.
    assert_gone(aws, "AWSServiceRoleForAccessAnalyzer")
    east, west = client(aws, "accessanalyzer", EAST), client(aws, "accessanalyzer", WEST)
    account = east.create_analyzer(analyzerName="account", type="ACCOUNT")["arn"]
    unused = east.create_analyzer(analyzerName="unused", type="ACCOUNT_UNUSED_ACCESS")["arn"]
    regional = west.create_analyzer(analyzerName="account", type="ACCOUNT")["arn"]
    assert role_arn(aws, "AWSServiceRoleForAccessAnalyzer") == (
        f"arn:aws:iam::{STAGING}:role/aws-service-role/access-analyzer.amazonaws.com/"
        "AWSServiceRoleForAccessAnalyzer"
    )

    assert deletes("AWSServiceRoleForAccessAnalyzer") == (
        "FAILED",
        [
            {"Region": WEST, "Resources": [regional]},
            {"Region": EAST, "Resources": [account, unused]},
        ],
    )
    assert account == f"arn:aws:access-analyzer:{EAST}:{STAGING}:analyzer/account"

    east.delete_analyzer(analyzerName="account")
    east.delete_analyzer(analyzerName="unused")
    assert deletes("AWSServiceRoleForAccessAnalyzer") == (
        "FAILED",
        [{"Region": WEST, "Resources": [regional]}],
    )
    west.delete_analyzer(analyzerName="account")
    assert deletes("AWSServiceRoleForAccessAnalyzer") == ("SUCCEEDED", [])
    assert_gone(aws, "AWSServiceRoleForAccessAnalyzer")


def test_organization_trails_block_cloudtrail_in_their_home_region(aws, deletes):
    client(aws, "iam", EAST).create_service_linked_role(AWSServiceName="cloudtrail.amazonaws.com")
    client(aws, "s3", EAST).create_bucket(Bucket="staging-trails")
    east, west = client(aws, "cloudtrail", EAST), client(aws, "cloudtrail", WEST)
    org = east.create_trail(
        Name="org-trail",
        S3BucketName="staging-trails",
        IsMultiRegionTrail=True,
        IsOrganizationTrail=True,
    )["TrailARN"]
    # A trail of the account alone does not use the role.
    west.create_trail(Name="account-trail", S3BucketName="staging-trails")
    # The multi-Region trail is listed in every Region, but reported once, at home.
    assert org in [t["TrailARN"] for t in west.describe_trails()["trailList"]]

    assert deletes("AWSServiceRoleForCloudTrail") == (
        "FAILED",
        [{"Region": EAST, "Resources": [f"arn:aws:cloudtrail:{EAST}:{STAGING}:trail/org-trail"]}],
    )
    assert org == f"arn:aws:cloudtrail:{EAST}:{STAGING}:trail/org-trail"

    # No longer an organization trail: CloudTrail's guide lets the role go then.
    east.update_trail(Name="org-trail", IsOrganizationTrail=False)
    assert deletes("AWSServiceRoleForCloudTrail") == ("SUCCEEDED", [])
    assert_gone(aws, "AWSServiceRoleForCloudTrail")


def test_serverless_caches_block_elasticache(aws, deletes):
    elasticache = client(aws, "elasticache", EAST)
    cache = elasticache.create_serverless_cache(ServerlessCacheName="carts", Engine="valkey")
    arn = cache["ServerlessCache"]["ARN"]
    assert arn == f"arn:aws:elasticache:{EAST}:{STAGING}:serverlesscache:carts"
    assert deletes("AWSServiceRoleForElastiCache") == (
        "FAILED",
        [{"Region": EAST, "Resources": [arn]}],
    )
    elasticache.delete_serverless_cache(ServerlessCacheName="carts")
    assert elasticache.describe_serverless_caches()["ServerlessCaches"] == []
    assert deletes("AWSServiceRoleForElastiCache") == ("SUCCEEDED", [])


def test_organization_event_data_stores_block_cloudtrail(aws, deletes):
    client(aws, "iam", EAST).create_service_linked_role(AWSServiceName="cloudtrail.amazonaws.com")
    west = client(aws, "cloudtrail", WEST)
    store = west.create_event_data_store(Name="org-lake", OrganizationEnabled=True)
    # A store of the account's own events does not use the role.
    client(aws, "cloudtrail", EAST).create_event_data_store(Name="own-lake")
    listed = west.list_event_data_stores()["EventDataStores"]
    assert listed == [{"EventDataStoreArn": store["EventDataStoreArn"], "Name": "org-lake"}]
    detail = west.get_event_data_store(EventDataStore=store["EventDataStoreArn"])
    assert detail["OrganizationEnabled"] is True
    assert deletes("AWSServiceRoleForCloudTrail") == (
        "FAILED",
        [{"Region": WEST, "Resources": [store["EventDataStoreArn"]]}],
    )
    west.delete_event_data_store(EventDataStore=store["EventDataStoreArn"])
    with pytest.raises(ClientError) as excinfo:
        west.get_event_data_store(EventDataStore=store["EventDataStoreArn"])
    assert excinfo.value.response["Error"]["Code"] == "EventDataStoreNotFoundException"
    assert deletes("AWSServiceRoleForCloudTrail") == ("SUCCEEDED", [])


def test_identity_center_roles_and_saml_provider_block_sso(aws, deletes):
    iam = client(aws, "iam", EAST)
    iam.create_service_linked_role(AWSServiceName="sso.amazonaws.com")
    role = iam.create_role(
        RoleName="AWSReservedSSO_ReadOnly_0123456789abcdef",
        Path="/aws-reserved/sso.amazonaws.com/",
        AssumeRolePolicyDocument="{}",
    )["Role"]
    provider = iam.create_saml_provider(
        Name="AWSSSO_0123456789abcdef_DO_NOT_DELETE", SAMLMetadataDocument="x" * 1000
    )["SAMLProviderArn"]
    # Neither a role elsewhere nor another SAML provider is Identity Center's.
    iam.create_role(RoleName="AWSReservedSSO_elsewhere", AssumeRolePolicyDocument="{}")
    iam.create_saml_provider(Name="okta", SAMLMetadataDocument="x" * 1000)
    assert deletes("AWSServiceRoleForSSO") == (
        "FAILED",
        [{"Region": "global", "Resources": sorted([role["Arn"], provider])}],
    )
    iam.delete_role(RoleName=role["RoleName"])
    iam.delete_saml_provider(SAMLProviderArn=provider)
    assert deletes("AWSServiceRoleForSSO") == ("SUCCEEDED", [])

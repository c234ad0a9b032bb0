"""The verdict for every service rolecall reads, against the emulator's demo
(emulator/scenarios/demo.py): blocked with the resources AWS would name, the
deletion failing with exactly the predicted RoleUsageList, and "Can be deleted now"
once the blockers are removed and the account is read again."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from roles.deletion.service import request_deletion
from roles.inventory.readiness import readiness
from roles.models import DeletionRequest, ServiceLinkedRole
from tests.support.aws import client
from tests.support.drive import drive_deletion
from tests.support.sync import REGIONS, sync_now

PROD, STAGING, HUB = "111111111111", "222222222222", "123456789012"


def _remove_load_balancers(account: str, region: str) -> None:
    v2 = client("elbv2", account, region)
    for lb in v2.describe_load_balancers()["LoadBalancers"]:
        v2.delete_load_balancer(LoadBalancerArn=lb["LoadBalancerArn"])
    classic = client("elb", account, region)
    for lb in classic.describe_load_balancers()["LoadBalancerDescriptions"]:
        classic.delete_load_balancer(LoadBalancerName=lb["LoadBalancerName"])


def _remove_groups(account: str, region: str) -> None:
    autoscaling = client("autoscaling", account, region)
    for group in autoscaling.describe_auto_scaling_groups()["AutoScalingGroups"]:
        autoscaling.delete_auto_scaling_group(
            AutoScalingGroupName=group["AutoScalingGroupName"], ForceDelete=True
        )


def _remove_databases(account: str, region: str) -> None:
    rds = client("rds", account, region)
    for db in rds.describe_db_instances()["DBInstances"]:
        rds.delete_db_instance(
            DBInstanceIdentifier=db["DBInstanceIdentifier"], SkipFinalSnapshot=True
        )
    for cluster in rds.describe_db_clusters()["DBClusters"]:
        rds.delete_db_cluster(
            DBClusterIdentifier=cluster["DBClusterIdentifier"], SkipFinalSnapshot=True
        )


def _remove_caches(account: str, region: str) -> None:
    elasticache = client("elasticache", account, region)
    for group in elasticache.describe_replication_groups()["ReplicationGroups"]:
        elasticache.delete_replication_group(ReplicationGroupId=group["ReplicationGroupId"])
    for cluster in elasticache.describe_cache_clusters()["CacheClusters"]:
        if cluster.get("CacheClusterStatus") != "deleting":
            elasticache.delete_cache_cluster(CacheClusterId=cluster["CacheClusterId"])
    for cache in elasticache.describe_serverless_caches()["ServerlessCaches"]:
        elasticache.delete_serverless_cache(ServerlessCacheName=cache["ServerlessCacheName"])


def _remove_eks(account: str, region: str) -> None:
    eks = client("eks", account, region)
    for name in eks.list_clusters()["clusters"]:
        eks.delete_cluster(name=name)


def _remove_detectors(account: str, region: str) -> None:
    guardduty = client("guardduty", account, region)
    for detector in guardduty.list_detectors()["DetectorIds"]:
        guardduty.delete_detector(DetectorId=detector)


def _remove_recorders(account: str, region: str) -> None:
    config = client("config", account, region)
    for recorder in config.describe_configuration_recorders()["ConfigurationRecorders"]:
        config.delete_configuration_recorder(ConfigurationRecorderName=recorder["name"])


def _disable_hub(account: str, region: str) -> None:
    securityhub = client("securityhub", account, region)
    try:
        securityhub.describe_hub()
    except securityhub.exceptions.InvalidAccessException:
        return
    securityhub.disable_security_hub()


def _remove_analyzers(account: str, region: str) -> None:
    analyzer = client("accessanalyzer", account, region)
    for item in analyzer.list_analyzers()["analyzers"]:
        analyzer.delete_analyzer(analyzerName=item["name"])


# (account, role name) -> (the blocking resources by region, as names; how to remove them)
BLOCKED = {
    (PROD, "AWSServiceRoleForElasticLoadBalancing"): (
        {"us-east-1": ["storefront-alb"], "eu-west-1": ["legacy-web"]},
        _remove_load_balancers,
    ),
    (PROD, "AWSServiceRoleForAutoScaling"): ({"us-east-1": ["web-asg"]}, _remove_groups),
    (PROD, "AWSServiceRoleForAutoScaling_batch"): ({"eu-west-1": ["batch-fleet"]}, _remove_groups),
    (PROD, "AWSServiceRoleForRDS"): (
        {"us-east-1": ["ledger-aurora"], "eu-west-1": ["orders-db"]},
        _remove_databases,
    ),
    (PROD, "AWSServiceRoleForElastiCache"): (
        {"us-east-1": ["carts-serverless", "sessions-prod"]},
        _remove_caches,
    ),
    (PROD, "AWSServiceRoleForAmazonEKS"): ({"ap-southeast-2": ["platform-prod"]}, _remove_eks),
    (PROD, "AWSServiceRoleForAmazonGuardDuty"): (
        {"us-east-1": None, "eu-west-1": None},  # detector ids are generated
        _remove_detectors,
    ),
    (PROD, "AWSServiceRoleForConfig"): ({"eu-west-1": ["default"]}, _remove_recorders),
    (PROD, "AWSServiceRoleForSecurityHub"): ({"us-east-1": ["Security Hub"]}, _disable_hub),
    (HUB, "AWSServiceRoleForAccessAnalyzer"): (
        {"eu-west-1": ["account-analyzer"]},
        _remove_analyzers,
    ),
}
NAMES = {PROD: "acme-prod", STAGING: "acme-staging", HUB: "security-hub"}


def _role(account: str, name: str) -> ServiceLinkedRole:
    return ServiceLinkedRole.objects.get(account__aws_account_id=account, name=name)


def _page(client_, role: ServiceLinkedRole) -> str:
    return client_.get(reverse("role-detail", args=[role.pk])).content.decode()


@pytest.mark.parametrize(("account", "name"), list(BLOCKED), ids=[n for _, n in BLOCKED])
def test_a_blocked_role_shows_its_blockers_fails_as_predicted_and_frees_once_they_are_gone(
    sync_demo, operator, operator_client, emulator, account, name
):
    where, remove = BLOCKED[(account, name)]
    sync_demo(NAMES[account])
    role = _role(account, name)
    verdict = readiness(role)
    assert (role.verdict, verdict.verdict) == ("blocked", "blocked")
    found = {r.region: sorted(i.name for i in r.items) for r in verdict.usage.blocked}
    assert sorted(found) == sorted(where)
    for region, names in where.items():
        if names is not None:
            assert found[region] == sorted(names)
    html = _page(operator_client, role)
    plural = "" if len(where) == 1 else "s"
    assert f"Blocked in {len(where)} region{plural}." in html
    predicted = verdict.usage.role_usage_list()
    for entry in predicted:
        for arn in entry["Resources"]:
            # RoleUsageType's resources are ARNs of 20 to 2048 characters (IAM's model).
            assert arn.startswith("arn:aws:") and 20 <= len(arn) <= 2048, arn
            assert arn in html.split('data-testid="blockers"')[1]

    deletion = drive_deletion(request_deletion(role, user=operator).request)
    assert deletion.state == DeletionRequest.State.FAILED
    attempt = deletion.attempts.get()
    assert attempt.role_usage_list == predicted  # AWS's answer is what rolecall predicted
    detail = operator_client.get(reverse("deletion-detail", args=[deletion.pk])).content.decode()
    for entry in predicted:
        assert entry["Region"] in detail
        for arn in entry["Resources"]:
            assert arn in detail
    # The refusal leads to what to remove (a dry run), never to an ECS cleanup plan.
    offer = detail.split('data-testid="cleanup-offer"')[1].split("</section>")[0]
    assert reverse("role-cleanup-steps", args=[role.pk]) in offer
    assert 'data-testid="plan-cleanup"' not in offer

    for region in where:
        remove(account, region)
    run = sync_now(role.account)
    assert run.status == "succeeded", run.region_errors
    role.refresh_from_db()
    assert role.verdict == "ready"
    html = _page(operator_client, role)
    assert "Can be deleted now: " in html
    assert (
        f"in any of the {len(REGIONS)} regions read (the account is set to scan only these; "
        "AWS checks every region)." in html
    )
    assert 'data-testid="checked"' in html


# Staging's roles of the same services have nothing that blocks them. Its Config
# recorder records as a plain IAM role, not the service-linked one: it must not count.
FREE = [
    "AWSServiceRoleForElasticLoadBalancing",
    "AWSServiceRoleForAutoScaling",
    "AWSServiceRoleForRDS",
    "AWSServiceRoleForElastiCache",
    "AWSServiceRoleForAmazonEKS",
    "AWSServiceRoleForAmazonGuardDuty",
    "AWSServiceRoleForConfig",
    "AWSServiceRoleForSecurityHub",
]


@pytest.mark.parametrize("name", FREE)
def test_a_free_role_can_be_deleted_now_and_aws_agrees(sync_demo, operator, operator_client, name):
    sync_demo("acme-staging")
    role = _role(STAGING, name)
    assert role.verdict == "ready"
    assert "Can be deleted now: " in _page(operator_client, role)
    deletion = drive_deletion(request_deletion(role, user=operator).request)
    assert deletion.state == DeletionRequest.State.SUCCEEDED


def test_the_prediction_and_the_emulator_agree_for_every_role_read(sync_demo, emulator):
    """Every demo role of a service rolecall reads, through both: the predicted
    RoleUsageList against what DeleteServiceLinkedRole's task reports."""
    sync_demo()
    roles = ServiceLinkedRole.objects.filter(verdict__in=["ready", "blocked"]).select_related(
        "account"
    )
    checked = 0
    for role in roles.exclude(service_principal="ecs.amazonaws.com"):
        predicted = readiness(role).usage.role_usage_list()
        iam = client("iam", role.account.aws_account_id)
        task = iam.delete_service_linked_role(RoleName=role.name)["DeletionTaskId"]
        status = {"Status": "IN_PROGRESS"}
        for _ in range(20):
            status = iam.get_service_linked_role_deletion_status(DeletionTaskId=task)
            if status["Status"] in ("SUCCEEDED", "FAILED"):
                break
            time.sleep(0.05)
        answered = (status.get("Reason") or {}).get("RoleUsageList", [])
        assert (role.arn, status["Status"], answered) == (
            role.arn,
            "FAILED" if predicted else "SUCCEEDED",
            predicted,
        )
        checked += 1
    assert checked >= 18

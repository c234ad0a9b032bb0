"""An account scanned on every region reads, stores and draws the regions it has: its
partition's default regions and the opt-in ones it enabled, never a not-opted-in one or
another partition's (ec2:DescribeRegions, AllRegions false)."""

from __future__ import annotations

from django.urls import reverse

from roles.aws.blockers import GLOBAL
from roles.cleanup import plan as planning
from roles.models import EcsRegion, ServiceLinkedRole, ServiceRegion, SyncRun
from tests.inventory.test_region_grid import tiles
from tests.support.sync import sync_now

# The demo's prod: the aws partition's 17 default regions and the opt-in region it
# enabled (emulator/scenarios/demo.py); every other opt-in region is not-opted-in there.
PROD_REGIONS = {
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ca-central-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
}
ELB = "AWSServiceRoleForElasticLoadBalancing"


def every_region(demo_accounts):
    prod = demo_accounts["acme-prod"]
    prod.regions = []
    prod.save(update_fields=["regions"])
    return prod


def test_a_sync_reads_and_stores_only_the_regions_the_account_has(emulator, demo_accounts):
    prod = every_region(demo_accounts)
    emulator.control.reset_calls()
    run = sync_now(prod)
    assert run.status == SyncRun.Status.SUCCEEDED, run.error or run.region_errors
    assert set(run.regions) == PROD_REGIONS
    ecs = set(EcsRegion.objects.filter(account=prod).values_list("region", flat=True))
    assert ecs == PROD_REGIONS
    others = set(ServiceRegion.objects.filter(account=prod).values_list("region", flat=True))
    assert others - {GLOBAL} == PROD_REGIONS
    # Not a single call into a region prod has not enabled, or into another partition.
    assert set(emulator.control.calls()["by_region"]) == PROD_REGIONS


def test_an_opt_in_region_enabled_later_is_read_by_the_next_sync(emulator, demo_accounts):
    prod = every_region(demo_accounts)
    sync_now(prod)
    emulator.control.set_opted_in_regions(prod.aws_account_id, ["eu-central-2", "il-central-1"])
    run = sync_now(prod)
    assert set(run.regions) == PROD_REGIONS | {"il-central-1"}
    emulator.control.set_opted_in_regions(prod.aws_account_id, [])
    run = sync_now(prod)
    assert set(run.regions) == PROD_REGIONS - {"eu-central-2"}
    # A region disabled since is no longer kept, nor drawn.
    assert not EcsRegion.objects.filter(account=prod, region="eu-central-2").exists()


def test_the_role_page_draws_a_tile_for_each_region_of_the_account(
    emulator, demo_accounts, viewer_client
):
    prod = every_region(demo_accounts)
    sync_now(prod)
    role = ServiceLinkedRole.objects.get(account=prod, name=ELB)
    html = viewer_client.get(reverse("role-detail", args=[role.pk])).content.decode()
    drawn = [title.split(":")[0] for _, title in tiles(html, "role-regions")]
    assert drawn == sorted(PROD_REGIONS)
    assert "cn-north-1" not in html and "us-gov-west-1" not in html and "af-south-1" not in html


def test_a_cleanup_plan_covers_the_regions_of_the_account(emulator, demo_accounts, operator):
    prod = every_region(demo_accounts)
    sync_now(prod)
    role = ServiceLinkedRole.objects.get(account=prod, name="AWSServiceRoleForECS")
    plan = planning.build(role, user=operator)[0]
    assert set(plan.regions.values_list("region", flat=True)) == PROD_REGIONS

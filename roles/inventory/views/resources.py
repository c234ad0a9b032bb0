"""The ECS role's clusters on pages, and a cluster's services and container instances
read from AWS when asked.

The sync stores each cluster with the counts DescribeClusters gives (services,
container instances, tasks): that is what the verdict and the role page need.
The role page shows, per region, the blocking clusters' totals (one aggregate
query) and the first FIRST_CLUSTERS of them; every blocking cluster of a region
is on `role_clusters`, CLUSTER_PAGE a page (keyset on name and id).

The lists behind the counts are read only when someone opens them, one page of
ListServices / ListContainerInstances (100, their maximum) with the matching
Describe calls, so an account with 5,100 services costs no sync an extra call
and its page stays small. The first page loads in place with htmx and each
"next" link appends the following one; without JavaScript they are plain pages.
An AWS refusal is shown with its code and request id.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, F, QuerySet, Sum, Window
from django.db.models.functions import RowNumber
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from roles.aws import ecs
from roles.aws.account import AccountAws
from roles.aws.errors import AwsError
from roles.inventory.models import EcsCluster, EcsRegion, ServiceLinkedRole
from roles.web import keyset
from roles.web.params import InvalidParameter

NOUNS = {"services": "service", "instances": "container instance"}
# ECS pagination tokens are opaque; anything longer than this is not one of theirs.
MAX_TOKEN = 4096
# The role page shows each region's first clusters; role_clusters pages the rest.
FIRST_CLUSTERS = 5
CLUSTER_PAGE = 25
CLUSTER_ORDER = keyset.Order(("name", "pk"))


@dataclass
class RegionClusters:
    """One region's blocking clusters, summed (and, on the role page, the first few)."""

    pk: int  # the EcsRegion's
    region: str
    stale: bool
    clusters: int
    services: int
    instances: int
    running: int
    pending: int
    first: list = field(default_factory=list)

    @property
    def more(self) -> bool:
        return self.clusters > len(self.first)


def region_totals(clusters: QuerySet[EcsCluster]) -> list[RegionClusters]:
    """Per region (by name), the blocking clusters among `clusters` and their counts
    added up: one query, whatever the number of clusters."""
    rows = (
        clusters.blocking()
        .values("region_id", "region__region", "region__stale")
        .annotate(
            clusters=Count("pk"),
            services=Sum("active_services"),
            instances=Sum("registered_instances"),
            running=Sum("running_tasks"),
            pending=Sum("pending_tasks"),
        )
        .order_by("region__region")
    )
    return [
        RegionClusters(
            pk=row["region_id"],
            region=row["region__region"],
            stale=row["region__stale"],
            clusters=row["clusters"],
            services=row["services"] or 0,
            instances=row["instances"] or 0,
            running=row["running"] or 0,
            pending=row["pending"] or 0,
        )
        for row in rows
    ]


def role_page_clusters(role: ServiceLinkedRole) -> list[RegionClusters]:
    """The role page's clusters: each region's totals, and its first FIRST_CLUSTERS in
    the order role_clusters pages them (the database's, collation included), read in
    one query whatever the number of clusters."""
    clusters = EcsCluster.objects.filter(region__account=role.account)
    regions = region_totals(clusters)
    rank = Window(RowNumber(), partition_by=F("region_id"), order_by=CLUSTER_ORDER.order_by())
    first = clusters.blocking().annotate(rank=rank).filter(rank__lte=FIRST_CLUSTERS)
    by_region: dict[int, list] = {}
    for cluster in first.order_by("region_id", *CLUSTER_ORDER.order_by()):
        by_region.setdefault(cluster.region_id, []).append(cluster)
    for region in regions:
        region.first = by_region.get(region.pk, [])
    return regions


@require_GET
def role_clusters(request: HttpRequest, pk: int) -> HttpResponse:
    """Every blocking cluster of the ECS role's account in one region, a page at a time."""
    # As on the role page: every member may read every role (MembershipMiddleware).
    role = get_object_or_404(ServiceLinkedRole.objects.select_related("account"), pk=pk)
    if not role.checks_ecs:
        raise Http404("Only the ECS role is kept in use by clusters.")
    region = get_object_or_404(
        EcsRegion, account=role.account, region=request.GET.get("region", "")
    )
    clusters = EcsCluster.objects.filter(region=region)
    page = keyset.page(clusters.blocking(), CLUSTER_ORDER, request.GET, CLUSTER_PAGE)
    ctx = {"role": role, "region": region, "totals": region_totals(clusters), "page": page}
    return render(request, "roles/clusters.html", ctx)


@require_GET
def cluster_resources(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    cluster = get_object_or_404(EcsCluster.objects.select_related("region__account"), pk=pk)
    token = request.GET.get("token", "")
    if len(token) > MAX_TOKEN or not token.isprintable():
        raise InvalidParameter("token: not a page token.")
    items, next_token, error = [], "", None
    try:
        aws = AccountAws.for_account(cluster.region.account)
        client = aws.ecs(cluster.region.region)
        items, next_token = ecs.listing_page(client, kind, cluster.arn, token or None)
    except AwsError as exc:
        error = exc.as_dict()
    ctx = {
        "cluster": cluster,
        "items": items,
        "next_token": next_token,
        "error": error,
        "kind": kind,
        "noun": NOUNS[kind],
        "read_at": timezone.now(),
    }
    template = "roles/_cluster_resources.html" if request.htmx else "roles/cluster_resources.html"
    return render(request, template, ctx)

"""An ECS cluster's services and container instances, read from AWS when asked.

The sync stores each cluster with the counts DescribeClusters gives (services,
container instances, tasks): that is what the verdict and the role page need.
The lists behind the counts are read only when someone opens them, one page of
ListServices / ListContainerInstances (100, their maximum) with the matching
Describe calls, so an account with 5,100 services costs no sync an extra call
and its page stays small. The first page loads in place with htmx and each
"next" link appends the following one; without JavaScript they are plain pages.
An AWS refusal is shown with its code and request id.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from roles.aws import ecs
from roles.aws.account import AccountAws
from roles.aws.errors import AwsError
from roles.models import EcsCluster
from roles.params import InvalidParameter

NOUNS = {"services": "service", "instances": "container instance"}
# ECS pagination tokens are opaque; anything longer than this is not one of theirs.
MAX_TOKEN = 4096


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

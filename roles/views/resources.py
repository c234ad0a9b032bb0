"""An ECS cluster's services and container instances, a page at a time.

The role page lists a small cluster's resources inline and links a large one's
here (5,100 services made the page 1.4 MB): the first page loads in place with
htmx, each "next" link appends the following page, and without JavaScript the
same links are plain pages.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from roles import keyset
from roles.models import EcsCluster, EcsContainerInstance, EcsService

PAGE_SIZE = 100
KINDS = {
    "services": (EcsService, keyset.Order(("name", "pk")), "service"),
    "instances": (EcsContainerInstance, keyset.Order(("arn", "pk")), "container instance"),
}


@require_GET
def cluster_resources(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    cluster = get_object_or_404(EcsCluster.objects.select_related("region__account"), pk=pk)
    model, order, noun = KINDS[kind]
    page = keyset.page(model.objects.filter(cluster=cluster), order, request.GET, PAGE_SIZE)
    ctx = {"cluster": cluster, "page": page, "kind": kind, "noun": noun}
    template = "roles/_cluster_resources.html" if request.htmx else "roles/cluster_resources.html"
    return render(request, template, ctx)

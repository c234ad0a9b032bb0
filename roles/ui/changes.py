"""/deletions/: the changes under way and done, deletion requests and below them the
cleanup plans, filtered by one form, with the deletion outcomes per week. A page of
two features (deletion and cleanup know nothing of each other), so it is the
surface's."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from roles.cleanup.models import CleanupPlan
from roles.deletion import charts as activity
from roles.deletion.listing import DeletionFilterForm
from roles.deletion.models import DeletionRequest
from roles.web import params


@require_GET
def deletion_list(request: HttpRequest) -> HttpResponse:
    """Deletion requests, and below them the cleanup plans, filtered by one form."""
    form = DeletionFilterForm(request.GET)
    qs = DeletionRequest.objects.select_related("account").none()
    plans = CleanupPlan.objects.select_related("account").none()
    if form.is_valid():
        qs = DeletionRequest.objects.select_related("account")
        plans = CleanupPlan.objects.select_related("account")
        state, account = form.cleaned_data.get("state"), form.cleaned_data.get("account")
        if state:
            qs = qs.filter(state=state)
            # The states both share (awaiting approval, queued, failed...) filter
            # plans too; a deletion-only state such as "submitted" matches none.
            plans = plans.filter(state=state) if state in CleanupPlan.State.values else plans.none()
        if account:
            qs = qs.filter(account=account)
            plans = plans.filter(account=account)
    number = params.integer(request.GET, "page", default=1, minimum=1)
    plans_number = params.integer(request.GET, "plans_page", default=1, minimum=1)
    page = Paginator(qs.order_by("-created"), 50).get_page(number)
    plan_page = Paginator(plans.order_by("-created", "-pk"), 50).get_page(plans_number)
    # The outcomes follow the account chosen; a state filter would leave one outcome.
    account = form.cleaned_data.get("account") if form.is_valid() else None
    chart, weeks = activity.deletion_weeks(
        DeletionRequest.objects.filter(account=account) if account else DeletionRequest.objects
    )
    return render(
        request,
        "deletions/list.html",
        {"form": form, "page": page, "plan_page": plan_page, "activity": chart, "weeks": weeks},
        status=200 if form.is_valid() else 400,
    )

"""Cleaning up what blocks a deletion: plan (dry run), confirm, approve, watch it run."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from roles.access import permissions, reauth
from roles.approval.views import change_page, decision_context
from roles.cleanup import charts as region_charts
from roles.cleanup import plan as planning
from roles.cleanup.kind import CleanupRefused
from roles.cleanup.models import CleanupPlan, CleanupRegion, CleanupStep
from roles.cleanup.service import request_execution
from roles.inventory import cleanup_steps as manual
from roles.inventory.models import ServiceLinkedRole
from roles.inventory.permissions import role_for
from roles.inventory.readiness import readiness
from roles.web import keyset
from roles.web.exports import download
from roles.web.forms import TypedConfirmation, account_confirmation

State = CleanupPlan.State


PLANS = CleanupPlan.objects.select_related(
    "account", "role", "requested_by", "confirmed_by", "approved_by", "resync"
)


@require_POST
def plan_cleanup(request: HttpRequest, pk: int) -> HttpResponse:
    role = role_for(request, pk, permissions.can_operate, "cleanup.planned")
    try:
        plan, created = planning.build(role, user=request.user, request=request)
    except CleanupRefused as exc:
        messages.error(request, str(exc))
        return redirect("role-detail", role.pk)
    if not created:
        messages.info(request, "A cleanup of this role is already under way.")
    return redirect("cleanup-detail", plan.pk)


# The plan's page shows about PAGE_STEPS steps, shared among the regions with steps
# (at least MIN_REGION_STEPS each); each region's whole list is a page at a time.
PAGE_STEPS = 50
MIN_REGION_STEPS = 5
STEP_ORDER = keyset.Order(("order", "pk"))


def _share(totals: list[int]) -> int:
    """The most steps each region may show with PAGE_STEPS in all (a region with
    fewer leaves the rest to the others), and never fewer than MIN_REGION_STEPS."""
    share = MIN_REGION_STEPS
    while share < max(totals, default=0) and sum(min(t, share + 1) for t in totals) <= PAGE_STEPS:
        share += 1
    return share


def _first_steps(regions: list) -> None:
    """Attach each region's first steps, in one query whatever the plan's size: a
    region's steps are numbered 1, 2, 3... when the plan is built, so its first k
    are those numbered up to k, read on the (region, order) unique index."""
    with_steps = [r for r in regions if r.total]
    share = _share([r.total for r in with_steps])
    first = CleanupStep.objects.filter(
        region__in=[r.row.pk for r in with_steps], order__lte=share
    ).order_by("region_id", "order")
    by_region: dict[int, list] = {}
    for step in first:
        by_region.setdefault(step.region_id, []).append(step)
    for r in regions:
        r.steps = by_region.get(r.row.pk, [])


@require_GET
def plan_steps(request: HttpRequest, pk: int) -> HttpResponse:
    """One region's steps of a plan, 100 a page (keyset on their order)."""
    plan = get_object_or_404(PLANS, pk=pk)
    region = get_object_or_404(plan.regions, region=request.GET.get("region", ""))
    page = keyset.page(region.steps.all(), STEP_ORDER, request.GET, 100)
    ctx = {"plan": plan, "region": region, "page": page}
    return render(request, "cleanup/plan_steps.html", ctx)


def _context(
    request: HttpRequest, plan: CleanupPlan, form: TypedConfirmation | None = None
) -> dict:
    user = request.user
    regions, totals = planning.summary(plan)
    # Regions without a step (and read fine) fold into one line, so the page's
    # controls stay near the top for an account scanned in every region.
    busy, idle = [], []
    for r in regions:
        nothing = r.total == 0 and r.row.state != CleanupRegion.State.UNREAD
        (idle if nothing else busy).append(r)
    _first_steps(busy)
    fresh = plan.resync_id is not None and not plan.resync.is_active
    return {
        "plan": plan,
        "regions": busy,
        "idle_regions": idle,
        "region_grid": region_charts.for_plan(regions),
        "totals": totals,
        "form": form or account_confirmation(account=plan.account),
        **decision_context(request, plan),
        "approval_on": settings.ROLECALL_REQUIRE_APPROVAL,
        "can_execute": plan.state == State.PLANNED and permissions.can_operate(user),
        # Offered once the inventory was re-read, so the deletion starts on fresh evidence.
        "inventory_fresh": fresh,
        "can_delete": plan.state == State.SUCCEEDED and fresh and permissions.can_operate(user),
        "polling": plan.is_working or (plan.state in CleanupPlan.FINISHED and not fresh),
    }


@require_GET
def cleanup_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return change_page(request, get_object_or_404(PLANS, pk=pk), "cleanup", _context)


@require_POST
def execute(request: HttpRequest, pk: int) -> HttpResponse:
    plan = permissions.get_or_deny(request, PLANS, pk, permissions.can_operate, "cleanup.confirmed")
    stale = reauth.require_fresh(request, reverse("cleanup-detail", args=[plan.pk]))
    if stale:
        return stale
    form = account_confirmation(request.POST, account=plan.account)
    if not form.is_valid():
        return render(request, "cleanup/detail.html", _context(request, plan, form), status=400)
    try:
        request_execution(plan, user=request.user, request=request)
    except CleanupRefused as exc:
        messages.error(request, str(exc))
    return redirect("cleanup-detail", plan.pk)


@require_GET
def cleanup_steps(request: HttpRequest, pk: int, fmt: str = "") -> HttpResponse:
    """A non-ECS role's cleanup as a dry run to review and export
    (roles/inventory/cleanup_steps.py): rolecall executes none of it."""
    role = get_object_or_404(ServiceLinkedRole.objects.select_related("account"), pk=pk)
    verdict = readiness(role)
    if role.checks_ecs or verdict.verdict in ("not_deletable", "absent"):
        return redirect("role-detail", role.pk)  # its own cleanup, or nothing to clean up
    steps = manual.steps(verdict.usage)
    if fmt:
        rows = [step.as_row() for step in steps]
        name = f"rolecall-cleanup-{role.account.aws_account_id}-{role.name}"
        return download(rows, manual.COLUMNS, fmt, name)
    ctx = {"role": role, "verdict": verdict, "steps": steps}
    return render(request, "cleanup/steps.html", ctx)

"""Deleting a role: confirmation with the evidence, the request pages, retry."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from roles import params, permissions, reauth
from roles.audit.filters import AuditFilterForm
from roles.charts import activity
from roles.deletion.service import (
    DeletionRefused,
    refuse_unless_deletable,
    request_deletion,
    retry_deletion,
)
from roles.forms import role_confirmation
from roles.models import DeletionRequest
from roles.readiness import readiness
from roles.views.choosers import AccountChoiceForm
from roles.views.decisions import change_page, decision_context


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    role = permissions.role_for(request, pk, permissions.can_operate, "deletion.requested")
    active = role.deletions.active().first()
    if active:
        messages.info(request, "A deletion of this role is already under way.")
        return redirect("deletion-detail", active.pk)
    try:
        refuse_unless_deletable(role)
    except DeletionRefused as exc:
        return render(
            request, "deletions/refused.html", {"role": role, "reason": str(exc)}, status=409
        )
    stale = reauth.require_fresh(request, reverse("role-delete", args=[role.pk]))
    if stale:
        return stale
    form = role_confirmation(request.POST or None, role=role)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = request_deletion(role, user=request.user, request=request)
        except DeletionRefused as exc:
            return render(
                request, "deletions/refused.html", {"role": role, "reason": str(exc)}, status=409
            )
        return redirect("deletion-detail", outcome.request.pk)
    ctx = {
        "role": role,
        "form": form,
        "verdict": readiness(role),
        "advisor": [e for e in role.advisor.all() if e.last_authenticated][:10],
        "approval_required": settings.ROLECALL_REQUIRE_APPROVAL,
    }
    return render(request, "deletions/confirm.html", ctx, status=400 if form.errors else 200)


class DeletionFilterForm(AccountChoiceForm):
    state = forms.ChoiceField(
        required=False, choices=[("", "any state"), *DeletionRequest.State.choices]
    )


@require_GET
def deletion_list(request: HttpRequest) -> HttpResponse:
    """Deletion requests, and below them the cleanup plans, filtered by one form."""
    from roles.models import CleanupPlan

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


def _changes(attempts) -> list[dict]:
    """Per failed attempt: blockers per region and what changed since the previous failure.

    AWS may report only part of the blockers each time, so a region or resource
    missing from a later report is "not reported", not "removed".
    """
    rows, previous = [], None
    for attempt in attempts:
        row = {"attempt": attempt, "regions": [], "not_reported": []}
        rows.append(row)
        if attempt.status != "FAILED":
            continue
        usage = {u["Region"]: set(u["Resources"]) for u in attempt.role_usage_list}
        for region in sorted(usage):
            before = previous.get(region, set()) if previous is not None else None
            row["regions"].append(
                {
                    "region": region,
                    "resources": sorted(usage[region]),
                    "new": sorted(usage[region] - before) if before is not None else [],
                    "new_region": previous is not None and region not in previous,
                }
            )
        if previous is not None:
            row["not_reported"] = sorted(set(previous) - set(usage))
        previous = usage
    return rows


def _detail_context(request: HttpRequest, deletion: DeletionRequest, retry_form=None) -> dict:
    attempts = list(deletion.attempts.all())
    timeline = AuditFilterForm({"role": deletion.role_arn})
    timeline.is_valid()
    can_retry = deletion.state in DeletionRequest.RETRYABLE and permissions.can_operate(
        request.user
    )
    return {
        **decision_context(request, deletion),
        "deletion": deletion,
        "attempts": _changes(attempts),
        "timeline": list(timeline.queryset().filter(time__gte=deletion.created)[:100]),
        "can_retry": can_retry,
        # Polled while a worker moves it on; while it waits for an approver only its
        # state is watched, so a comment being typed is never replaced.
        "polled_states": DeletionRequest.WORKING,
        "retry_form": retry_form or (role_confirmation(role=deletion.role) if can_retry else None),
    }


@require_GET
def deletion_detail(request: HttpRequest, pk: int) -> HttpResponse:
    deletion = get_object_or_404(DeletionRequest.objects.select_related("account", "role"), pk=pk)
    return change_page(request, deletion, "deletions", _detail_context)


@require_POST
def retry(request: HttpRequest, pk: int) -> HttpResponse:
    """A new attempt: the same confirmation as the first (fresh password, typed names)."""
    deletion = permissions.deletion_for(request, pk, permissions.can_operate, "deletion.retried")
    stale = reauth.require_fresh(request, reverse("deletion-detail", args=[deletion.pk]))
    if stale:
        return stale
    form = role_confirmation(request.POST, role=deletion.role)
    if not form.is_valid():
        ctx = _detail_context(request, deletion, retry_form=form)
        return render(request, "deletions/detail.html", ctx, status=400)
    try:
        retry_deletion(deletion, user=request.user, request=request)
    except DeletionRefused as exc:
        messages.error(request, str(exc))
    return redirect("deletion-detail", deletion.pk)

"""Deleting a role: confirmation with the evidence, the request pages, retry."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from roles.access import permissions, reauth
from roles.approval.views import change_page, decision_context
from roles.audit.filters import AuditFilterForm
from roles.deletion.models import DeletionRequest
from roles.deletion.permissions import deletion_for
from roles.deletion.service import (
    DeletionRefused,
    refuse_unless_deletable,
    request_deletion,
    retry_deletion,
)
from roles.inventory.permissions import role_for
from roles.inventory.readiness import readiness
from roles.web.forms import role_confirmation


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    role = role_for(request, pk, permissions.can_operate, "deletion.requested")
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
        "source_identity": deletion.source_identity(),
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
    deletion = deletion_for(request, pk, permissions.can_operate, "deletion.retried")
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

"""Retirement campaigns: draft from the roles list, review, approve, run, report."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from roles.access import permissions, reauth
from roles.approval.views import change_page, decision_context
from roles.campaigns import report, select, service
from roles.campaigns.kind import CampaignRefused, confirmation
from roles.campaigns.models import Campaign, CampaignRole
from roles.deletion.models import DeletionAttempt
from roles.inventory.listing import RoleFilterForm
from roles.web import params
from roles.web.exports import download

Row = CampaignRole.State
ROWS_PER_PAGE = 100
FILTERS = ("q", "account", "ou", "service", "unused_days", "has_blockers", "verdict", "state")


class DraftForm(forms.Form):
    name = forms.CharField(max_length=200)
    picked = forms.CharField(required=False, max_length=100_000)  # role ids, comma-separated
    # The author's acknowledgement that "Not checked" roles are to be retired too
    # (roles/campaigns/select.py draft); unticked, they are set apart.
    include_not_checked = forms.BooleanField(required=False)

    def clean_picked(self) -> list[int]:
        try:
            return params.integer_list(
                {"picked": self.cleaned_data["picked"].replace(" ", "")},
                "picked",
                limit=settings.ROLECALL_CAMPAIGN_MAX_ROLES,
            )
        except params.InvalidParameter as exc:
            raise forms.ValidationError(str(exc)) from None


@require_GET
def campaign_list(request: HttpRequest) -> HttpResponse:
    rows = Campaign.objects.select_related("approved_by").order_by("-created", "-pk")
    campaigns = Paginator(rows, 50)
    page = campaigns.get_page(params.integer(request.GET, "page", default=1, minimum=1))
    return render(request, "campaigns/list.html", {"page": page})


@require_POST
def campaign_new(request: HttpRequest) -> HttpResponse:
    """A draft from the roles list's filter (the same fields) or its picked rows."""
    permissions.require(request, permissions.can_operate, "campaign.drafted")
    form, roles = DraftForm(request.POST), RoleFilterForm(request.POST)
    if not (form.is_valid() and roles.is_valid()):
        errors = [f"{k}: {' '.join(v)}" for f in (form, roles) for k, v in f.errors.items()]
        return render(request, "campaigns/refused.html", {"reason": "; ".join(errors)}, status=400)
    limit = settings.ROLECALL_CAMPAIGN_MAX_ROLES
    ticked = params.integers(request.POST.getlist("pick"), "pick", limit=limit)
    picked = sorted({*form.cleaned_data["picked"], *ticked})
    qs = roles.filtered()
    if picked:
        qs = qs.filter(pk__in=picked)
    selection = {k: str(v) for k in FILTERS if (v := request.POST.get(k, ""))}
    if picked:
        selection["picked"] = picked
    try:
        campaign = select.draft(
            form.cleaned_data["name"],
            qs,
            user=request.user,
            request=request,
            selection=selection,
            include_not_checked=form.cleaned_data["include_not_checked"],
        )
    except CampaignRefused as exc:
        return render(request, "campaigns/refused.html", {"reason": str(exc)}, status=409)
    return redirect("campaign-detail", campaign.pk)


def _campaign(request, pk: int, check, attempted: str) -> Campaign:
    return permissions.get_or_deny(
        request, Campaign.objects.select_related("approved_by"), pk, check, attempted
    )


def _context(request: HttpRequest, campaign: Campaign) -> dict:
    latest_first = DeletionAttempt.objects.order_by("-number")
    acted = (
        campaign.roles.filter(state__in=CampaignRole.ACTED_ON)
        .select_related("deletion")
        .prefetch_related(Prefetch("deletion__attempts", queryset=latest_first))
    )
    rows = Paginator(acted, ROWS_PER_PAGE).get_page(
        params.integer(request.GET, "page", default=1, minimum=1)
    )
    totals = select.totals(campaign)
    states = dict(totals["state"])
    done = sum(states.get(s, 0) for s in CampaignRole.DONE)
    total = sum(states.get(s, 0) for s in CampaignRole.ACTED_ON)
    return {
        "campaign": campaign,
        "obj": campaign,
        "rows": rows,
        "excluded": Paginator(
            campaign.roles.filter(state__in=(Row.EXCLUDED, Row.REMOVED))
            .only("campaign", "role_name", "account_name", "state", "reason", "role_id")
            .order_by("pk"),
            ROWS_PER_PAGE,
        ).get_page(params.integer(request.GET, "apart", default=1, minimum=1)),
        "totals": totals,
        "states": states,
        "done": done,
        "total": total,
        "polling": campaign.state in (*Campaign.RUNNING_STATES, Campaign.State.PAUSED)
        and done < total,
        "can_operate": permissions.can_operate(request.user),
        "confirmation": confirmation(campaign),
        "acknowledgement": select.acknowledgement(campaign),
        "approve_url": reverse("campaign-approve", args=[campaign.pk]),
        "reject_url": reverse("campaign-reject", args=[campaign.pk]),
        "what": "campaign",
        **decision_context(request, campaign),
    }


@require_GET
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk, permissions.can_view, "campaign.viewed")
    return change_page(request, campaign, "campaigns", _context)


@require_POST
def campaign_act(request: HttpRequest, pk: int, *, action: str) -> HttpResponse:
    """Remove rows, ask for approval, pause, resume or discard (operators)."""
    audited = {
        "remove": "campaign.edited",
        "submit": "campaign.submitted",
        "pause": "campaign.paused",
        "resume": "campaign.resumed",
        "discard": "campaign.discarded",
    }.get(action)
    if audited is None:
        raise Http404("No such action.")
    campaign = _campaign(request, pk, permissions.can_operate, audited)
    if action == "submit":
        stale = reauth.require_fresh(request, reverse("campaign-detail", args=[pk]))
        if stale:
            return stale
    try:
        if action == "remove":
            rows = request.POST.getlist("row")
            ids = params.integers(rows, "row", limit=settings.ROLECALL_CAMPAIGN_MAX_ROLES)
            removed = service.remove_rows(campaign, ids, user=request.user, request=request)
            messages.info(request, f"{removed} role{'' if removed == 1 else 's'} removed.")
        else:
            verb = {
                "submit": service.ask_approval,
                "pause": service.pause,
                "resume": service.resume,
                "discard": service.discard,
            }[action]
            verb(campaign, user=request.user, request=request)
    except CampaignRefused as exc:
        messages.error(request, str(exc))
    return redirect("campaign-detail", campaign.pk)


@require_GET
def campaign_export(request: HttpRequest, pk: str, what: str, fmt: str) -> HttpResponse:
    """The dry run (the AWS calls it would make, in order) or the report (every role)."""
    campaign = _campaign(request, pk, permissions.can_view, "campaign.exported")
    if what == "plan":
        rows, columns = report.plan_rows(campaign), report.PLAN_COLUMNS
    else:
        rows, columns = report.report_rows(campaign), report.REPORT_COLUMNS
    return download(rows, columns, fmt, f"rolecall-campaign-{campaign.pk}-{what}")

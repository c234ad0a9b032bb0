"""API reads: the same rows, filters and permissions as the pages."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.db.models import F, Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import api_view
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from roles.accounts.listing import BY_NAME
from roles.api import serializers as s
from roles.api.pages import CURSOR_PARAMETERS, answer, form_parameters, keyset_answer, page_of
from roles.audit.filters import AuditFilterForm, page
from roles.campaigns import select
from roles.campaigns.kind import confirmation
from roles.campaigns.models import Campaign
from roles.cleanup.models import CleanupPlan
from roles.core.models import Account
from roles.deletion.evidence import snapshot
from roles.deletion.listing import DeletionFilterForm
from roles.deletion.models import DeletionAttempt, DeletionRequest
from roles.inventory import summary
from roles.inventory.listing import PAGE_SIZE, ROW_FIELDS, RoleFilterForm
from roles.inventory.models import ServiceLinkedRole
from roles.inventory.protection import role_protection
from roles.web import keyset, params
from roles.web.choosers import AccountChoiceForm

NEWEST = keyset.Order(("pk",), descending=True)
PAGE = 100


def valid(form: forms.Form) -> forms.Form:
    """The form, once valid; else a 400 with its messages per field."""
    if not form.is_valid():
        errors = form.errors.get_json_data()
        raise ValidationError({k: [e["message"] for e in v] for k, v in errors.items()})
    return form


@extend_schema(
    operation_id="list_accounts",
    tags=["accounts"],
    parameters=CURSOR_PARAMETERS,
    responses=page_of(s.AccountSerializer),
)
@api_view(["GET"])
def accounts(request):
    return keyset_answer(
        request, Account.objects.all(), BY_NAME, s.AccountSerializer, default_size=PAGE
    )


@extend_schema(operation_id="get_account", tags=["accounts"], responses=s.AccountSerializer)
@api_view(["GET"])
def account(request, pk: int):
    found = get_object_or_404(Account, pk=pk)
    return Response(s.AccountSerializer(found, context={"request": request}).data)


@extend_schema(operation_id="get_overview", tags=["roles"], responses=s.OverviewSerializer)
@api_view(["GET"])
def overview(request):
    """The overview's counts, each the number its roles-list filter shows."""
    counts = summary.totals()
    keys = ("in_use", "unused", "blocked", "verdicts")
    body = {"roles": counts["total"], **{k: counts[k] for k in keys}}
    return Response(s.OverviewSerializer(body).data)


@extend_schema(
    operation_id="list_roles",
    tags=["roles"],
    parameters=[
        *form_parameters(RoleFilterForm, skip=("account_q",)),
        OpenApiParameter("last", int, description="1: the last page."),
        *CURSOR_PARAMETERS,
    ],
    responses=page_of(s.RoleSerializer),
)
@api_view(["GET"])
def roles(request):
    """Service-linked roles, with the roles page's filters, search and sorts."""
    form = valid(RoleFilterForm(request.query_params))
    rows = (
        form.filtered()
        .select_related(None)
        .only("account", *ROW_FIELDS)
        .annotate(account_aws_id=F("account__aws_account_id"))
    )
    return keyset_answer(request, rows, form.order, s.RoleSerializer, default_size=PAGE_SIZE)


@extend_schema(operation_id="get_role", tags=["roles"], responses=s.RoleDetailSerializer)
@api_view(["GET"])
def role(request, pk: int):
    """One role with its evidence and verdict: what a deletion would be confirmed on."""
    found = get_object_or_404(ServiceLinkedRole.objects.select_related("account"), pk=pk)
    active = found.deletions.active().values_list("pk", flat=True).first()
    context = {
        "request": request,
        "evidence": snapshot(found),
        "protected": role_protection(found),
        "active_deletion": active,
    }
    return Response(s.RoleDetailSerializer(found, context=context).data)


@extend_schema(
    operation_id="list_deletions",
    tags=["deletions"],
    parameters=[*form_parameters(DeletionFilterForm, skip=("account_q",)), *CURSOR_PARAMETERS],
    responses=page_of(s.DeletionSerializer),
)
@api_view(["GET"])
def deletions(request):
    form = valid(DeletionFilterForm(request.query_params))
    rows = DeletionRequest.objects.defer("evidence", "evidence_log")
    if form.cleaned_data.get("state"):
        rows = rows.filter(state=form.cleaned_data["state"])
    if form.cleaned_data.get("account"):
        rows = rows.filter(account=form.cleaned_data["account"])
    return keyset_answer(request, rows, NEWEST, s.DeletionSerializer, default_size=PAGE)


@extend_schema(
    operation_id="get_deletion", tags=["deletions"], responses=s.DeletionDetailSerializer
)
@api_view(["GET"])
def deletion(request, pk: int):
    """A deletion request with its evidence and every attempt (AWS's answers)."""
    rows = DeletionRequest.objects.prefetch_related(
        Prefetch("attempts", queryset=DeletionAttempt.objects.order_by("number"))
    )
    found = get_object_or_404(rows, pk=pk)
    return Response(s.DeletionDetailSerializer(found, context={"request": request}).data)


class CleanupFilterForm(AccountChoiceForm):
    state = forms.ChoiceField(
        required=False, choices=[("", "any state"), *CleanupPlan.State.choices]
    )


@extend_schema(
    operation_id="list_cleanups",
    tags=["cleanups"],
    parameters=[*form_parameters(CleanupFilterForm, skip=("account_q",)), *CURSOR_PARAMETERS],
    responses=page_of(s.CleanupSerializer),
)
@api_view(["GET"])
def cleanups(request):
    form = valid(CleanupFilterForm(request.query_params))
    rows = CleanupPlan.objects.all()
    if form.cleaned_data.get("state"):
        rows = rows.filter(state=form.cleaned_data["state"])
    if form.cleaned_data.get("account"):
        rows = rows.filter(account=form.cleaned_data["account"])
    return keyset_answer(request, rows, NEWEST, s.CleanupSerializer, default_size=PAGE)


@extend_schema(operation_id="get_cleanup", tags=["cleanups"], responses=s.CleanupSerializer)
@api_view(["GET"])
def cleanup(request, pk: int):
    found = get_object_or_404(CleanupPlan, pk=pk)
    return Response(s.CleanupSerializer(found, context={"request": request}).data)


@extend_schema(
    operation_id="list_campaigns",
    tags=["campaigns"],
    parameters=CURSOR_PARAMETERS,
    responses=page_of(s.CampaignSerializer),
)
@api_view(["GET"])
def campaigns(request):
    return keyset_answer(
        request, Campaign.objects.all(), NEWEST, s.CampaignSerializer, default_size=PAGE
    )


@extend_schema(
    operation_id="get_campaign", tags=["campaigns"], responses=s.CampaignDetailSerializer
)
@api_view(["GET"])
def campaign(request, pk: int):
    """A campaign with its totals per account, service, verdict and state."""
    found = get_object_or_404(Campaign, pk=pk)
    context = {
        "request": request,
        "totals": select.totals(found),
        "not_checked": select.acknowledgement(found),
        "confirmation": confirmation(found),
    }
    return Response(s.CampaignDetailSerializer(found, context=context).data)


@extend_schema(
    operation_id="list_notifications",
    tags=["notifications"],
    parameters=CURSOR_PARAMETERS,
    responses=page_of(s.NotificationSerializer),
)
@api_view(["GET"])
def notifications(request):
    """Your own notifications, newest first."""
    mine = request.user.notifications.all()
    return keyset_answer(request, mine, NEWEST, s.NotificationSerializer, default_size=PAGE)


@extend_schema(
    operation_id="list_audit_events",
    tags=["audit"],
    parameters=[
        *form_parameters(AuditFilterForm),
        OpenApiParameter("before", int, description="Cursor: events older than this seq."),
        OpenApiParameter("after", int, description="Cursor: events newer than this seq."),
        OpenApiParameter("page_size", int, description="Events per page, 1 to 200."),
    ],
    responses=page_of(s.AuditEventSerializer),
)
@api_view(["GET"])
def audit(request):
    """The audit history, newest first, with the audit page's filters."""
    form = valid(AuditFilterForm(request.query_params))
    query = request.query_params
    events, newer, older = page(
        form.queryset(),
        before=params.integer(query, "before"),
        after=params.integer(query, "after"),
        size=params.integer(
            query, "page_size", default=settings.ROLECALL_AUDIT_PAGE_SIZE, minimum=1, maximum=200
        ),
    )
    return answer(
        request,
        events,
        s.AuditEventSerializer,
        next_cursor=older,
        previous_cursor=newer,
        name="before",
    )

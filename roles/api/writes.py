"""API writes: each one the page's own service call, behind the page's own checks.

Request a deletion, retry one, approve or reject any approved change (deletion,
cleanup, campaign), pause or resume a campaign, refresh an account. What the
pages ask a person to type (the role's name, a production account's name, a
campaign's confirmation) is a required field here, checked by the same forms.

Recent password: the pages ask for it before a deletion is confirmed or decided.
Through the API, deciding (approve, reject) needs a token created within
ROLECALL_REAUTH_MINUTES (roles/api/auth.py require_fresh). Requesting or retrying
a deletion does not when two-person approval is on: nothing reaches AWS until an
approver with a fresh token (or password) approves. With approval off, the
request is the last gate, so it needs a fresh token too.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import api_view
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from roles import approval
from roles.access import permissions
from roles.api import serializers as s
from roles.api.auth import require_fresh
from roles.api.errors import Conflict
from roles.campaigns import service as campaigns
from roles.campaigns.kind import CampaignRefused
from roles.campaigns.models import Campaign
from roles.deletion.models import DeletionRequest
from roles.deletion.permissions import deletion_for
from roles.deletion.service import (
    DeletionRefused,
    refuse_unless_deletable,
    request_deletion,
    retry_deletion,
)
from roles.inventory.permissions import role_for
from roles.inventory.sync.service import start_sync
from roles.web.forms import role_confirmation

PROBLEM = OpenApiResponse(s.ProblemSerializer, description="code and message")
REFUSALS = {400: PROBLEM, 403: PROBLEM, 404: PROBLEM, 409: PROBLEM}


def _body(serializer_class, request) -> dict:
    body = serializer_class(data=request.data)
    body.is_valid(raise_exception=True)
    return body.validated_data


def _confirmed(request, role) -> None:
    """The typed names, as the confirmation page checks them (roles/web/forms.py)."""
    body = _body(s.DeletionBody, request)
    form = role_confirmation(
        {"confirm_name": body["confirm"], "confirm_account": body.get("confirm_account", "")},
        role=role,
    )
    if not form.is_valid():
        names = {"confirm_name": "confirm", "confirm_account": "confirm_account"}
        raise ValidationError({names[k]: v for k, v in form.errors.items()})


def _detail(request, deletion: DeletionRequest, code=status.HTTP_200_OK) -> Response:
    deletion = DeletionRequest.objects.prefetch_related("attempts").get(pk=deletion.pk)
    data = s.DeletionDetailSerializer(deletion, context={"request": request}).data
    url = request.build_absolute_uri(reverse("api-deletion", args=[deletion.pk]))
    return Response(data, status=code, headers={"Location": url})


def _already(request, active: DeletionRequest):
    url = request.build_absolute_uri(reverse("api-deletion", args=[active.pk]))
    raise Conflict(
        "A deletion of this role is already under way.",
        code="active_request_exists",
        existing=url,
    )


@extend_schema(
    operation_id="request_deletion",
    tags=["deletions"],
    request=s.DeletionBody,
    responses={201: s.DeletionDetailSerializer, **REFUSALS},
)
@api_view(["POST"])
def request_role_deletion(request, pk: int):
    """Ask for the role's deletion (operators). With approval on, it waits for an approver."""
    role = role_for(request, pk, permissions.can_operate, "deletion.requested")
    active = role.deletions.active().first()
    if active:
        _already(request, active)
    try:
        refuse_unless_deletable(role)
    except DeletionRefused as exc:
        raise Conflict(str(exc)) from None
    _confirmed(request, role)
    if not settings.ROLECALL_REQUIRE_APPROVAL:
        require_fresh(request, "deletion.requested", **permissions.target(role))
    try:
        outcome = request_deletion(role, user=request.user, request=request)
    except DeletionRefused as exc:
        raise Conflict(str(exc)) from None
    if not outcome.created:
        _already(request, outcome.request)
    return _detail(request, outcome.request, status.HTTP_201_CREATED)


@extend_schema(
    operation_id="retry_deletion",
    tags=["deletions"],
    request=s.DeletionBody,
    responses={200: s.DeletionDetailSerializer, **REFUSALS},
)
@api_view(["POST"])
def retry(request, pk: int):
    """A new attempt on a failed deletion, confirmed as the first (operators)."""
    deletion = deletion_for(request, pk, permissions.can_operate, "deletion.retried")
    _confirmed(request, deletion.role)
    if not settings.ROLECALL_REQUIRE_APPROVAL:
        require_fresh(request, "deletion.retried", **permissions.target(deletion))
    try:
        retried = retry_deletion(deletion, user=request.user, request=request)
    except DeletionRefused as exc:
        raise Conflict(str(exc)) from None
    return _detail(request, retried)


@extend_schema(
    tags=["decisions"],
    request=s.DecisionBody,
    responses={200: OpenApiResponse(description="The change, decided."), **REFUSALS},
)
@api_view(["POST"])
def decide(request, pk: int, kind: str, approve: bool):
    """Approve or reject a change you did not ask for (approvers, with a fresh token)."""
    change = approval.kinds().get(kind)
    if change is None:
        raise NotFound("No such kind of change.")
    attempted = f"{change.prefix}.{'approved' if approve else 'rejected'}"
    obj = permissions.get_or_deny(request, change.rows(), pk, permissions.can_approve, attempted)
    require_fresh(request, attempted, **permissions.target(obj))
    body = _body(s.DecisionBody, request)
    if approve and change.versioned and body.get("version") is None:
        raise ValidationError({"version": ["The evidence version you reviewed is required."]})
    try:
        approval.decide(
            change,
            obj,
            user=request.user,
            approve=approve,
            comment=body["comment"],
            version=body.get("version"),
            typed=body.get("typed", ""),
            request=request,
        )
    except approval.Refused as exc:
        raise Conflict(str(exc)) from None
    obj = change.rows().get(pk=obj.pk)
    shapes = {
        "deletion": s.DeletionSerializer,
        "cleanup": s.CleanupSerializer,
        "campaign": s.CampaignSerializer,
    }
    return Response(shapes[kind](obj, context={"request": request}).data)


@extend_schema(tags=["campaigns"], request=None, responses={200: s.CampaignSerializer, **REFUSALS})
@api_view(["POST"])
def campaign_act(request, pk: int, action: str):
    """Pause or resume a running campaign (operators)."""
    attempted = f"campaign.{action}d"
    found = permissions.get_or_deny(
        request, Campaign.objects.all(), pk, permissions.can_operate, attempted
    )
    verb = {"pause": campaigns.pause, "resume": campaigns.resume}[action]
    try:
        found = verb(found, user=request.user, request=request)
    except CampaignRefused as exc:
        raise Conflict(str(exc)) from None
    return Response(s.CampaignSerializer(found, context={"request": request}).data)


@extend_schema(
    operation_id="refresh_account",
    tags=["accounts"],
    request=None,
    responses={202: s.SyncRunSerializer, 403: PROBLEM, 404: PROBLEM, 409: PROBLEM},
)
@api_view(["POST"])
def refresh(request, pk: int):
    """Sync the account now (operators); joins a sync already under way."""
    account = permissions.account_for(request, pk, permissions.can_operate, "sync.started")
    if account.paused:
        raise Conflict(account.paused_text, code="account_paused")
    run = start_sync(account, user=request.user, request=request)
    return Response(s.SyncRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)

"""AWS accounts: list, add, edit, test the connection, refresh."""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from roles.access import permissions, reauth
from roles.accounts import charts as activity
from roles.accounts.connection import check_connection
from roles.accounts.forms import AccountForm
from roles.accounts.listing import BY_NAME, accounts_with_status, active_syncs
from roles.audit.models import AuditEvent, Outcome
from roles.aws import ecs
from roles.aws.errors import AwsError
from roles.core.inflight import in_flight
from roles.core.models import Account
from roles.inventory import summary
from roles.inventory.models import EcsRegion, ServiceRegion
from roles.inventory.rules import rule_for
from roles.inventory.sync.store import refresh_blockers
from roles.inventory.views.syncs import refresh_response
from roles.web import keyset

AUDITED_FIELDS = (
    "aws_account_id",
    "name",
    "role_arn",
    "change_role_arn",
    "external_id",
    "regions",
    "production",
    "enabled",
)


# What deletion requests and cleanup plans are bound to (roles/deletion/evidence.py):
# changing one re-points the account, changes who AWS sees make the change, or
# weakens its confirmation.
BOUND_FIELDS = ("aws_account_id", "role_arn", "change_role_arn", "production")


def _snapshot(account: Account) -> dict:
    return {field: getattr(account, field) for field in AUDITED_FIELDS}


@require_GET
def account_list(request: HttpRequest) -> HttpResponse:
    """Accounts by name, 50 a page (keyset), with a search on name and id."""
    text = request.GET.get("q", "").strip()[:100]
    accounts = accounts_with_status()
    if text:
        accounts = accounts.filter(Q(name__icontains=text) | Q(aws_account_id__startswith=text))
    page = keyset.page(accounts, BY_NAME, request.GET, 50)
    ctx = {
        "page": page,
        "q": text,
        "total": Account.objects.count(),
        "active": active_syncs(page.rows),
        "can_admin": permissions.can_admin(request.user),
    }
    return render(request, "accounts/list.html", ctx)


@require_http_methods(["GET", "POST"])
def account_add(request: HttpRequest) -> HttpResponse:
    permissions.require(request, permissions.can_admin, "account.added")
    form = AccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        account = form.save()
        summary.summarise([account])
        AuditEvent.objects.record(
            "account.added",
            request=request,
            account_id=account.aws_account_id,
            details={"account": _snapshot(account)},
        )
        return redirect("account-detail", account.pk)
    return render(
        request,
        "accounts/form.html",
        {"form": form, "account": None},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def account_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit an account. The page can re-point it (id, role) or drop its production
    flag, so it needs a fresh password before the form is shown, and those fields
    are refused while requests or plans bound to the account are under way."""
    account = permissions.account_for(request, pk, permissions.can_admin, "account.changed")
    stale = reauth.require_fresh(request, reverse("account-edit", args=[account.pk]))
    if stale:
        return stale
    before = _snapshot(account)
    form = AccountForm(request.POST or None, instance=account)
    status = 200
    if request.method == "POST" and form.is_valid():
        bound = [f for f in BOUND_FIELDS if form.cleaned_data.get(f) != before[f]]
        busy = in_flight(account=account) if bound else None
        if busy:
            refused = {f: {"old": before[f], "new": form.cleaned_data.get(f)} for f in bound}
            for field in bound:
                form.add_error(
                    field,
                    f"Refused while {busy.words} in this account are under way: they are "
                    "bound to the account as it is. Let them finish, or reject them, first.",
                )
            AuditEvent.objects.record(
                "account.changed",
                request=request,
                outcome=Outcome.DENIED,
                account_id=before["aws_account_id"],
                details={"reason": "active requests or plans", **busy.counts, "refused": refused},
            )
            status = 409
            account = Account.objects.get(pk=account.pk)  # the form changed it in memory
        else:
            account = form.save()
            after = _snapshot(account)
            changes = {
                k: {"old": before[k], "new": after[k]}
                for k in AUDITED_FIELDS
                if before[k] != after[k]
            }
            AuditEvent.objects.record(
                "account.changed",
                request=request,
                account_id=account.aws_account_id,
                details={"changes": changes, "reauthenticated": True},
            )
            if "regions" in changes:
                # A region added is not read yet: the stored verdicts say so at once.
                refresh_blockers(account)
            if "name" in changes:
                summary.rename(account)
            return redirect("account-detail", account.pk)
    if form.errors and status == 200:
        status = 400
    ctx = {"form": form, "account": account}
    return render(request, "accounts/form.html", ctx, status=status)


def _reads(account: Account) -> dict:
    """Other services' blocker reads: how many are current, and each that failed."""
    rows = list(ServiceRegion.objects.filter(account=account).order_by("principal", "region"))
    stale = [r for r in rows if r.stale]
    for row in stale:
        rule = rule_for(row.principal)
        row.service = rule.service if rule else row.principal
    return {"current": len(rows) - len(stale), "stale": stale}


@require_GET
def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(
        accounts_with_status().select_related("membership__organization"), pk=pk
    )
    ctx = {
        "account": account,
        "regions": EcsRegion.objects.filter(account=account).annotate(
            cluster_count=Count("clusters", filter=~Q(clusters__status=ecs.INACTIVE))
        ),
        "reads": _reads(account),
        "syncs": account.syncs.select_related("requested_by")[:10],
        "health": activity.sync_health(account),
        "active_sync": account.syncs.active().first(),
        "can_admin": permissions.can_admin(request.user),
        "can_operate": permissions.can_operate(request.user),
        # Where its organization lists it (roles/organizations/), if one does.
        "membership": getattr(account, "membership", None),
        "paused_text": account.paused_text,
    }
    return render(request, "accounts/detail.html", ctx)


@require_POST
def account_test(request: HttpRequest, pk: int) -> HttpResponse:
    account = permissions.account_for(
        request, pk, permissions.can_operate, "account.connection_tested"
    )
    try:
        identity, mismatch = check_connection(account, request=request)
    except AwsError as exc:
        ctx = {"account": account, "error": exc}
    else:
        ctx = {"account": account, "identity": identity, "mismatch": mismatch}
    template = "accounts/_connection.html" if request.htmx else "accounts/connection.html"
    return render(request, template, ctx)


@require_POST
def account_refresh(request: HttpRequest, pk: int) -> HttpResponse:
    account = permissions.account_for(request, pk, permissions.can_operate, "sync.started")
    if account.paused:
        # The organization stopped syncing it (roles/organizations/discovery.py): its roles are
        # unreachable or no longer rolecall's to read.
        return render(
            request,
            "accounts/paused.html",
            {"account": account, "message": account.paused_text},
            status=409,
        )
    return refresh_response(request, [account], back="account-detail", back_args=[account.pk])

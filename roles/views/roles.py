"""Service-linked roles: the filtered list, its exports, and one role's evidence."""

from __future__ import annotations

import csv
import json
from datetime import timedelta

from django import forms
from django.db.models import F, Q, QuerySet, Sum
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.decorators.http import require_GET, require_POST

from roles import keyset, permissions, search
from roles.audit.export import neutralise
from roles.audit.filters import AuditFilterForm
from roles.charts import regions
from roles.cleanup import manual
from roles.models import AccountSummary, RoleChange, ServiceLinkedRole
from roles.protection import role_protection
from roles.readiness import VERDICTS, readiness, reads_for, usage_for
from roles.templatetags.rolecall import make_visible
from roles.views.choosers import AccountChoiceForm
from roles.views.resources import role_page_clusters
from roles.views.syncs import refresh_response

NOT_TRACKED = "Not accessed in the tracking period"
# Each sort walks one index (roles/models/inventory.py, migration 0014).
SORTS = {
    "service": "service_principal",
    "name": "name",
    "account": "account_name",
    "last_used": "last_used_at",
    "blockers": "blocker_count",
    "state": "state",
}
PAGE_SIZE = 50
COUNT_CAP = 1000
# What the list and the exports never show: read only on the role's own page.
HEAVY = ("permissions", "trust_policy", "tags", "search")
# What a row of the list shows (roles/templatetags/rows.py role_row) and sorts on:
# the account's name is the role's own copy, its id annotated (no Account per row).
ROW_FIELDS = (
    *("account_name", "name", "service_principal", "state", "last_used_at", "last_used_region"),
    *("verdict", "blocker_count", "blocked_regions", "unknown_regions"),
)


COLUMNS = [
    ("service", "Service"),
    ("name", "Role"),
    ("account", "Account"),
    ("last_used", "Last activity"),
    ("blockers", "Readiness"),
    ("state", "State"),
]


def order_for(sort: str) -> keyset.Order:
    column = SORTS[sort.lstrip("-")]
    if column == "name":
        keys = ("name", "pk")
    elif column == "service_principal":  # within a service, by account as by default
        keys = (column, "account_name", "name", "pk")
    else:
        keys = (column, "name", "pk")
    return keyset.Order(keys, descending=sort.startswith("-"), nullable=frozenset({"last_used_at"}))


class RoleFilterForm(AccountChoiceForm):
    q = forms.CharField(required=False, max_length=200, label="Search")
    service = forms.CharField(
        required=False,
        max_length=255,
        # Any part of a principal; the list offers the ones the roles have.
        widget=forms.TextInput({"list": "known-services"}),
    )
    ou = forms.CharField(required=False, max_length=2000, label="OU path")
    unused_days = forms.IntegerField(
        required=False, min_value=0, max_value=100000, label="Unused for more than (days)"
    )
    has_blockers = forms.ChoiceField(
        required=False, choices=[("", "any"), ("yes", "has blockers"), ("no", "no blockers")]
    )
    verdict = forms.ChoiceField(
        required=False, label="Readiness", choices=[("", "any"), *VERDICTS.items()]
    )
    state = forms.ChoiceField(
        required=False, choices=[("", "any state"), *ServiceLinkedRole.State.choices]
    )
    sort = forms.ChoiceField(
        required=False, choices=[(k, k) for k in SORTS] + [(f"-{k}", f"-{k}") for k in SORTS]
    )

    @cached_property
    def services(self) -> list[str]:
        """The principals the roles have: what the service box offers and matches."""
        return search.principals()

    def filtered(self) -> QuerySet[ServiceLinkedRole]:
        data = self.cleaned_data
        qs = ServiceLinkedRole.objects.select_related("account").defer(*HEAVY)
        if data.get("q"):
            qs = search.matching(qs, data["q"])
        if data.get("account"):
            qs = qs.filter(account=data["account"])
        if data.get("service"):
            qs = search.by_service(qs, data["service"], self.services)
        if data.get("ou"):
            # The OU and everything under it, as discovery stored the path (roles/discovery.py).
            path = " / ".join(p.strip() for p in data["ou"].split("/") if p.strip())
            qs = qs.filter(
                Q(account__membership__ou_path=path)
                | Q(account__membership__ou_path__startswith=f"{path} / ")
            )
        if data.get("unused_days") is not None:
            cutoff = timezone.now() - timedelta(days=data["unused_days"])
            qs = qs.filter(Q(last_used_at__lt=cutoff) | Q(last_used_at__isnull=True))
        if data.get("has_blockers") == "yes":
            qs = qs.filter(blocker_count__gt=0)
        elif data.get("has_blockers") == "no":
            qs = qs.filter(blocker_count=0)
        if data.get("verdict"):
            # The stored verdict is the sync's; a role deleted since has none.
            qs = qs.live().filter(verdict=data["verdict"])
        if data.get("state"):
            qs = qs.filter(state=data["state"])
        return qs

    @property
    def order(self) -> keyset.Order:
        return order_for(self.cleaned_data.get("sort") or "account")

    def queryset(self) -> QuerySet[ServiceLinkedRole]:
        return self.filtered().order_by(*self.order.order_by())

    def total(self) -> tuple[int, bool]:
        """(count, exact): from the sync's summary when only the account or the
        verdict narrows the list, else counted up to COUNT_CAP rows and said as
        "more than" beyond, so a count never reads the whole organization."""
        data = self.cleaned_data
        narrowing = {
            k for k, v in data.items() if v not in (None, "") and k not in ("sort", "account_q")
        }
        if narrowing <= {"account", "verdict"}:
            kept = AccountSummary.objects.all()
            if data.get("account"):
                kept = kept.filter(account=data["account"])
            verdict = data.get("verdict")
            column = AccountSummary.verdict_field(verdict) if verdict else "roles"
            return kept.aggregate(n=Sum(column))["n"] or 0, True
        counted = self.filtered().order_by()[: COUNT_CAP + 1].count()
        return min(counted, COUNT_CAP), counted <= COUNT_CAP


def _filtered(request: HttpRequest) -> tuple[RoleFilterForm, QuerySet | None]:
    form = RoleFilterForm(request.GET)
    return form, form.queryset() if form.is_valid() else None


@require_GET
def role_list(request: HttpRequest) -> HttpResponse:
    form = RoleFilterForm(request.GET)
    ctx = {
        "form": form,
        "page": None,
        "not_tracked": NOT_TRACKED,
        "sort": request.GET.get("sort", "") or "account",
        "columns": COLUMNS,
        "can_operate": permissions.can_operate(request.user),
        "none_values": (None, ""),
    }
    if form.is_valid():
        rows = (
            form.filtered()
            .select_related(None)
            .only(*ROW_FIELDS)
            .annotate(account_aws_id=F("account__aws_account_id"))
        )
        ctx["page"] = keyset.page(rows, form.order, request.GET, PAGE_SIZE)
        ctx["total"], ctx["exact"] = form.total()
    return render(request, "roles/list.html", ctx, status=200 if form.is_valid() else 400)


EXPORT_COLUMNS = (
    "account_name",
    "account_id",
    "service_principal",
    "name",
    "arn",
    "state",
    "last_used_at",
    "last_used_region",
    "blocker_count",
    "blocked_regions",
    "unknown_regions",
    "verdict",
    "aws_created_at",
    "description",
)


def _export_row(role: ServiceLinkedRole) -> dict:
    return {
        "account_name": role.account.name,
        "account_id": role.account.aws_account_id,
        "service_principal": role.service_principal,
        "name": role.name,
        "arn": role.arn,
        "state": role.state,
        "last_used_at": role.last_used_at.isoformat() if role.last_used_at else "",
        "last_used_region": role.last_used_region,
        "blocker_count": role.blocker_count,
        "blocked_regions": role.blocked_regions,
        "unknown_regions": role.unknown_regions,
        "verdict": role.verdict if role.is_live else "",
        "aws_created_at": role.aws_created_at.isoformat() if role.aws_created_at else "",
        "description": role.description,
    }


class _Echo:
    def write(self, value: str) -> str:
        return value


@require_GET
def role_export(request: HttpRequest, fmt: str) -> HttpResponse:
    form, qs = _filtered(request)
    if qs is None:
        return render(request, "roles/list.html", {"form": form, "page": None}, status=400)
    rows = (_export_row(r) for r in qs.iterator(chunk_size=1000))
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    if fmt == "csv":
        writer = csv.writer(_Echo())

        def lines():
            yield writer.writerow(EXPORT_COLUMNS)
            for row in rows:
                yield writer.writerow([neutralise(make_visible(row[c])) for c in EXPORT_COLUMNS])

        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    else:

        def items():
            yield "[\n"
            for index, row in enumerate(rows):
                yield ("," if index else "") + json.dumps(row) + "\n"
            yield "]\n"

        response = StreamingHttpResponse(items(), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="rolecall-roles-{stamp}.{fmt}"'
    return response


@require_GET
def role_detail(request: HttpRequest, pk: int) -> HttpResponse:
    role = get_object_or_404(ServiceLinkedRole.objects.select_related("account"), pk=pk)
    usage = usage_for(role)
    protected = role_protection(role)
    advisor = list(role.advisor.all())
    history = AuditFilterForm({"role": role.arn})
    history.is_valid()
    verdict = readiness(role, usage)
    ctx = {
        "role": role,
        "verdict": verdict,
        "region_grid": regions.for_usage(
            verdict.usage, "cluster" if role.checks_ecs else "resource"
        ),
        "reads": reads_for(role.service_principal),
        "cluster_regions": role_page_clusters(role) if role.checks_ecs else [],
        "cleanup_steps": manual.steps(verdict.usage) if not role.checks_ecs else [],
        "advisor": advisor,
        # Most recent first whatever the database does with NULLs in a DESC sort.
        "advisor_used": sorted(
            (e for e in advisor if e.last_authenticated),
            key=lambda e: e.last_authenticated,
            reverse=True,
        ),
        "history": list(history.queryset()[:20]),
        "not_tracked": NOT_TRACKED,
        "can_operate": permissions.can_operate(request.user),
        # Roles outside /aws-service-role/ are never offered (and the server refuses them).
        "protected": protected,
        "can_delete": permissions.can_operate(request.user)
        and role.is_service_linked
        and role.is_live
        and verdict.verdict != "not_deletable"
        and not protected,
        "active_deletion": role.deletions.active().first(),
        # Operators get it in the actions bar; everyone sees one waiting for approval.
        "active_cleanup": role.cleanups.active().first(),
        "active_change": role.changes.filter(state__in=RoleChange.ACTIVE).first(),
    }
    return render(request, "roles/detail.html", ctx)


@require_POST
def role_refresh(request: HttpRequest, pk: int) -> HttpResponse:
    role = permissions.role_for(request, pk, permissions.can_operate, "sync.started")
    return refresh_response(request, [role.account], back="role-detail", back_args=[role.pk])

"""Service-linked roles: the filtered list, its exports, and one role's evidence."""

from __future__ import annotations

import csv
import json

from django.db.models import F, QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from roles.access import permissions
from roles.audit.filters import AuditFilterForm
from roles.inventory import cleanup_steps as manual
from roles.inventory.charts import regions
from roles.inventory.listing import NOT_TRACKED, PAGE_SIZE, ROW_FIELDS, RoleFilterForm
from roles.inventory.models import ServiceLinkedRole
from roles.inventory.permissions import role_for
from roles.inventory.protection import role_protection
from roles.inventory.readiness import readiness, reads_for, usage_for
from roles.inventory.views.resources import role_page_clusters
from roles.inventory.views.syncs import refresh_response
from roles.web import keyset
from roles.web.exports import neutralise
from roles.web.text import make_visible

COLUMNS = [
    ("service", "Service"),
    ("name", "Role"),
    ("account", "Account"),
    ("last_used", "Last activity"),
    ("blockers", "Readiness"),
    ("state", "State"),
]


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
        "active_change": role.changes.active().first(),
    }
    return render(request, "roles/detail.html", ctx)


@require_POST
def role_refresh(request: HttpRequest, pk: int) -> HttpResponse:
    role = role_for(request, pk, permissions.can_operate, "sync.started")
    return refresh_response(request, [role.account], back="role-detail", back_args=[role.pk])

"""The audit history page and its streamed exports."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from roles.audit import export
from roles.audit.actions import ACTIONS
from roles.audit.filters import AuditFilterForm, page
from roles.audit.models import AuditEvent
from roles.web import params


@require_GET
def audit_list(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET)
    events, newer, older = [], None, None
    if form.is_valid():
        events, newer, older = page(
            form.queryset(),
            before=params.integer(request.GET, "before"),
            after=params.integer(request.GET, "after"),
            size=settings.ROLECALL_AUDIT_PAGE_SIZE,
        )
    ctx = {
        "form": form,
        "events": events,
        "newer": newer,
        "older": older,
        "labels": ACTIONS,
        "filters": form.active(),
    }
    template = "audit/_results.html" if request.htmx else "audit/list.html"
    return render(request, template, ctx, status=200 if form.is_valid() else 400)


@require_GET
def audit_export(request: HttpRequest, fmt: str) -> HttpResponse:
    form = AuditFilterForm(request.GET)
    if not form.is_valid():
        ctx = {"form": form, "events": [], "labels": ACTIONS, "filters": {}}
        return render(request, "audit/list.html", ctx, status=400)
    # Snapshot: the export holds what existed when it was asked for, not the
    # export event below nor anything written while it streams.
    newest = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    qs = form.queryset().filter(seq__lte=newest)
    AuditEvent.objects.record(
        "audit.exported",
        request=request,
        details={"format": fmt, "filters": form.active(), "through_seq": newest},
    )
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    if fmt == "csv":
        body, content_type = export.csv_lines(qs), "text/csv; charset=utf-8"
    else:
        body, content_type = export.jsonl_lines(qs), "application/x-ndjson"
    response = StreamingHttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="rolecall-audit-{stamp}.{fmt}"'
    return response

"""The overview."""

from datetime import timedelta

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from roles import permissions
from roles.models import DeletionRequest, HealthPing, ServiceLinkedRole, SyncRun
from roles.readiness import VERDICTS
from roles.views.accounts import accounts_with_status


@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    cutoff = timezone.now() - timedelta(days=90)
    counts = ServiceLinkedRole.objects.live().aggregate(
        total=Count("pk"),
        in_use=Count("pk", filter=Q(last_used_at__gte=cutoff)),
        unused=Count("pk", filter=Q(last_used_at__lt=cutoff) | Q(last_used_at__isnull=True)),
        blocked=Count("pk", filter=Q(blocker_count__gt=0)),
        **{f"verdict_{v}": Count("pk", filter=Q(verdict=v)) for v in VERDICTS},
    )
    ctx = {
        "counts": counts,
        "verdicts": [(v, label, counts[f"verdict_{v}"]) for v, label in VERDICTS.items()],
        "pending_deletions": DeletionRequest.objects.active().count(),
        "accounts": accounts_with_status(),
        "active_syncs": {r.account_id: r for r in SyncRun.objects.active()},
        "last_ping": HealthPing.objects.first(),
        "can_refresh": permissions.can_operate(request.user),
        "now": timezone.now(),
    }
    return render(request, "roles/overview.html", ctx)

"""The overview."""

from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from roles.access import permissions
from roles.accounts.listing import accounts_with_status, active_syncs
from roles.core.models import Account
from roles.deletion.models import DeletionRequest
from roles.inventory import summary
from roles.inventory.charts import dormancy
from roles.inventory.readiness import VERDICTS
from roles.inventory.sync.models import SyncRun
from roles.jobs.models import HealthPing
from roles.web import params

ATTENTION = 20


@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    asked = params.choice(request.GET, "map", dormancy.MODES)
    counts = summary.totals()
    account_total = Account.objects.count()
    # The accounts that need a look first: a stale read, then the longest since a
    # successful sync (never first). The rest are one link away, on /accounts/.
    accounts = list(
        accounts_with_status()
        .annotate(stale=F("stale_regions") + F("stale_reads"))
        .order_by(F("stale").desc(), F("last_success").asc(nulls_first=True), "name")[:ATTENTION]
    )
    ctx = {
        "counts": counts,
        "verdicts": [(v, label, counts["verdicts"][v]) for v, label in VERDICTS.items()],
        "pending_deletions": DeletionRequest.objects.active().count(),
        "accounts": accounts,
        "account_total": account_total,
        "map": dormancy.build(asked, account_total),
        "unused_days": summary.IN_USE_DAYS,
        "syncs_under_way": SyncRun.objects.active().count(),
        "active_syncs": active_syncs(accounts),
        "last_ping": HealthPing.objects.first(),
        "can_refresh": permissions.can_operate(request.user),
        "now": timezone.now(),
    }
    return render(request, "roles/overview.html", ctx)

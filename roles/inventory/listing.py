"""The role list's filters, sorts and page shape: one definition the list page, its
exports, a campaign's draft and the API all read."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.functional import cached_property

from roles.inventory import search
from roles.inventory.models import ServiceLinkedRole
from roles.inventory.readiness import VERDICTS
from roles.inventory.summary import BLOCKED, AccountSummary
from roles.web import keyset
from roles.web.choosers import AccountChoiceForm

NOT_TRACKED = "Not accessed in the tracking period"


# Each sort walks one index (roles/inventory/models.py, migration 0014).
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


# What a row of the list shows (roles/web/templatetags.py role_row) and sorts on:
# the account's name is the role's own copy, its id annotated (no Account per row).
ROW_FIELDS = (
    *("account_name", "name", "service_principal", "state", "last_used_at", "last_used_region"),
    *("verdict", "blocker_count", "blocked_regions", "unknown_regions"),
)


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
        required=False,
        label="Blocked",
        # "yes": the verdict blocked, the overview's number (roles/inventory/summary.py).
        choices=[("", "any"), ("yes", "blocked"), ("no", "not blocked")],
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
            # The OU and everything under it, as discovery stored the path
            # (roles/organizations/discovery.py).
            path = " / ".join(p.strip() for p in data["ou"].split("/") if p.strip())
            qs = qs.filter(
                Q(account__membership__ou_path=path)
                | Q(account__membership__ou_path__startswith=f"{path} / ")
            )
        if data.get("unused_days") is not None:
            cutoff = timezone.now() - timedelta(days=data["unused_days"])
            qs = qs.filter(Q(last_used_at__lt=cutoff) | Q(last_used_at__isnull=True))
        if data.get("has_blockers") == "yes":
            qs = qs.filter(BLOCKED)
        elif data.get("has_blockers") == "no":
            qs = qs.exclude(BLOCKED)
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

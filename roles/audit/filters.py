"""The one filter definition behind every view of the audit history.

The audit page, its CSV and JSON Lines exports, a role's history tab and a
deletion's timeline all call AuditFilterForm(...).queryset(), so what an
export contains is exactly what the page showed.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from roles.audit.actions import ACTIONS
from roles.audit.models import AuditEvent, Outcome


class AuditFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, label="Search")
    actor = forms.CharField(required=False, max_length=150)
    action = forms.ChoiceField(required=False, choices=[("", "any action"), *ACTIONS.items()])
    outcome = forms.ChoiceField(required=False, choices=[("", "any outcome"), *Outcome.choices])
    account = forms.RegexField(
        required=False,
        regex=r"^\d{12}$",
        error_messages={"invalid": "Enter a 12-digit account id."},
    )
    role = forms.CharField(required=False, max_length=2048, help_text="Role ARN or name")
    deletion_task_id = forms.CharField(required=False, max_length=512)
    date_from = forms.DateField(
        required=False, label="From", widget=forms.DateInput({"type": "date"})
    )
    date_to = forms.DateField(required=False, label="To", widget=forms.DateInput({"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "The end date is before the start date.")
        return data

    def active(self) -> dict[str, str]:
        """The filters in use, for links that keep them (pagination, export)."""
        if not self.is_bound or not self.is_valid():
            return {}
        return {k: str(v) for k, v in self.cleaned_data.items() if v not in ("", None)}

    def queryset(self) -> QuerySet[AuditEvent]:
        """Matching events, newest first. Call only when is_valid()."""
        data = self.cleaned_data
        qs = AuditEvent.objects.order_by("-seq")
        exact = {
            "actor_name": data.get("actor"),
            "action": data.get("action"),
            "outcome": data.get("outcome"),
            "account_id": data.get("account"),
            "deletion_task_id": data.get("deletion_task_id"),
        }
        qs = qs.filter(**{field: value for field, value in exact.items() if value})
        role = data.get("role")
        if role:
            qs = (
                qs.filter(target_arn=role)
                if role.startswith("arn:")
                else qs.filter(target_arn__endswith=f"/{role}")
            )
        tz = timezone.get_current_timezone()
        if data.get("date_from"):
            qs = qs.filter(time__gte=datetime.combine(data["date_from"], time.min, tzinfo=tz))
        if data.get("date_to"):
            end = datetime.combine(data["date_to"] + timedelta(days=1), time.min, tzinfo=tz)
            qs = qs.filter(time__lt=end)
        if data.get("q"):
            qs = qs.filter(search__contains=data["q"].lower())
        return qs


def page(qs: QuerySet[AuditEvent], *, before: int | None, after: int | None, size: int):
    """Keyset pagination on seq: constant cost at any depth, unlike OFFSET.

    Returns (events newest first, newer_cursor, older_cursor); a cursor is the
    seq to pass as ?after= / ?before=, or None when there is nothing more.
    """
    if after is not None:
        rows = list(qs.filter(seq__gt=after).order_by("seq")[: size + 1])
        has_newer = len(rows) > size
        events = list(reversed(rows[:size]))
        has_older = True
    else:
        if before is not None:
            qs = qs.filter(seq__lt=before)
        rows = list(qs[: size + 1])
        has_older = len(rows) > size
        events = rows[:size]
        has_newer = before is not None
    if not events:
        return [], None, None
    return events, events[0].seq if has_newer else None, events[-1].seq if has_older else None

"""The deletion list's filter, shared by the list page and the API."""

from __future__ import annotations

from django import forms

from roles.deletion.models import DeletionRequest
from roles.web.choosers import AccountChoiceForm


class DeletionFilterForm(AccountChoiceForm):
    state = forms.ChoiceField(
        required=False, choices=[("", "any state"), *DeletionRequest.State.choices]
    )

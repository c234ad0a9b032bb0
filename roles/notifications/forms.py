"""The forms of the notification settings page and the webhook pages."""

from __future__ import annotations

from django import forms

from roles.notifications import address
from roles.notifications.models import NotificationKind, NotificationRoute, Webhook


class WebhookForm(forms.ModelForm):
    url = forms.URLField(
        label="URL",
        max_length=500,
        assume_scheme="https",
        help_text="Where rolecall POSTs each event (a Slack incoming webhook works as is). "
        "Only https:// and public addresses, unless in DEBUG or demo mode.",
    )

    class Meta:
        model = Webhook
        fields = ["name", "url", "enabled"]
        help_texts = {
            "enabled": "A disabled webhook receives nothing and is not offered to users.",
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            del self.fields["enabled"]  # a new webhook starts enabled

    def clean_url(self) -> str:
        url = self.cleaned_data["url"].strip()
        try:
            if address.strict():
                address.resolve(url)  # resolved and every address checked, as before a send
            else:
                address.parse(url)
        except address.Refused as exc:
            raise forms.ValidationError(str(exc)) from None
        return url


def field_name(kind: str, webhook: Webhook | None = None) -> str:
    return f"{kind}-webhook-{webhook.pk}" if webhook else f"{kind}-email"


class RoutesForm(forms.Form):
    """One checkbox per kind for email, and per kind and enabled webhook."""

    def __init__(self, data=None, *, user, webhooks: list[Webhook], routes: dict) -> None:
        super().__init__(data)
        self.user, self.webhooks = user, webhooks
        self.rows = []
        for kind, label in NotificationKind.choices:
            route = routes.get(kind)
            chosen = {hook.pk for hook in route.webhooks.all()} if route else set()
            cells = [self._box(field_name(kind), bool(route and route.email), f"{label} by email")]
            cells += [
                self._box(field_name(kind, hook), hook.pk in chosen, f"{label} to {hook.name}")
                for hook in webhooks
            ]
            self.rows.append((label, cells))

    def _box(self, name: str, initial: bool, label: str):
        self.fields[name] = forms.BooleanField(
            required=False,
            initial=initial,
            widget=forms.CheckboxInput(attrs={"aria-label": label}),
        )
        return self[name]

    def clean(self):
        data = super().clean()
        if not self.user.email and any(data.get(field_name(k)) for k in NotificationKind.values):
            raise forms.ValidationError(
                "Your account has no email address: ask an administrator to add one first."
            )
        return data

    def chosen(self) -> dict[str, dict]:
        """kind -> {"email": bool, "webhooks": [names]} as submitted."""
        return {
            kind: {
                "email": self.cleaned_data[field_name(kind)],
                "webhooks": [
                    hook.name for hook in self.webhooks if self.cleaned_data[field_name(kind, hook)]
                ],
            }
            for kind in NotificationKind.values
        }


def current(routes: dict, webhooks: list[Webhook]) -> dict[str, dict]:
    """kind -> {"email": bool, "webhooks": [names]} as stored (webhooks offered only)."""
    offered = {hook.pk for hook in webhooks}
    result = {}
    for kind in NotificationKind.values:
        route: NotificationRoute | None = routes.get(kind)
        result[kind] = {
            "email": bool(route and route.email),
            "webhooks": sorted(
                hook.name for hook in (route.webhooks.all() if route else []) if hook.pk in offered
            ),
        }
    return result

"""The one typed-confirmation form every consequential action asks for."""

from __future__ import annotations

from django import forms


class TypedConfirmation(forms.Form):
    """The one typed-confirmation form: each field must repeat a name exactly.

    `expected` maps a field name to (label, the exact name, what it names); the
    deletion confirmation and its retry ask for the role name (and, in a production
    account, the account name), a cleanup's execution for the account name.
    """

    def __init__(self, *args, expected: dict[str, tuple[str, str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.expected = expected
        for name, (label, _value, what) in expected.items():
            self.fields[name] = forms.CharField(
                label=label, max_length=512 if what == "role" else 100, strip=False
            )

    def clean(self):
        cleaned = super().clean()
        for name, (_label, value, what) in self.expected.items():
            if name in cleaned and cleaned[name] != value:
                self.add_error(name, f"The name does not match the {what} name exactly.")
        return cleaned


def role_confirmation(data=None, *, role) -> TypedConfirmation:
    """Deleting `role`: its name, plus the account name in a production account
    (as aws-nuke asks for the account alias)."""
    expected = {"confirm_name": ("Type the role name to confirm", role.name, "role")}
    if role.account.production:
        expected["confirm_account"] = (
            "Production account: type the account name",
            role.account.name,
            "account",
        )
    return TypedConfirmation(data, expected=expected)


def account_confirmation(data=None, *, account) -> TypedConfirmation:
    """Changing resources in `account` (a cleanup plan's execution): its name."""
    return TypedConfirmation(
        data,
        expected={"confirm_account": ("Type the account name to confirm", account.name, "account")},
    )

"""Forms of the account migration pages (aliases, and moving to another account)."""

from __future__ import annotations

from django import forms

from rostra.web.forms.account import AccessibleForm

_HANDLE = forms.TextInput(attrs={"autocapitalize": "none", "spellcheck": "false",
                                 "placeholder": "@name@example.org"})


class AliasForm(AccessibleForm):
    acct = forms.CharField(
        label="Handle of the old account", max_length=2048, widget=_HANDLE,
        help_text="The account you are moving from, like @name@example.org (or its "
                  "address). It is listed as another of yours, so it may move here.")


class MoveForm(AccessibleForm):
    """Moving asks for the new account's handle and, again, for the password."""

    acct = forms.CharField(
        label="Handle of the new account", max_length=2048, widget=_HANDLE,
        help_text="It must already list this account as an alias.")
    password = forms.CharField(label="Your password", strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete":
                                                                 "current-password"}))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if self.user is None or not self.user.check_password(password):
            raise forms.ValidationError("That is not your password.")
        return password

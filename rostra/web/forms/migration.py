"""Forms of the account migration pages (aliases, and moving to another account)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from rostra.web.forms.account import AccessibleForm, PasswordConfirmedForm

_HANDLE = forms.TextInput(attrs={"autocapitalize": "none", "spellcheck": "false",
                                 "placeholder": "@name@example.org"})


class AliasForm(AccessibleForm):
    acct = forms.CharField(
        label=_("Handle of the old account"), max_length=2048, widget=_HANDLE,
        help_text=_("The account you are moving from, like @name@example.org (or its "
                    "address). It is listed as another of yours, so it may move here."))


class MoveForm(PasswordConfirmedForm):
    """Moving asks for the new account's handle and, again, for the password."""

    acct = forms.CharField(
        label=_("Handle of the new account"), max_length=2048, widget=_HANDLE,
        help_text=_("It must already list this account as an alias."))
    field_order = ("acct", "password")

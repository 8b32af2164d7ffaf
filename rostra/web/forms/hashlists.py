"""The hash-list page's forms: import a file, subscribe to a feed, clear a hash."""

from __future__ import annotations

from django import forms

from rostra.safety.list_formats import FORMATS
from rostra.safety.models import HashList, SignalType
from rostra.web.forms.account import AccessibleForm

FORMAT_CHOICES = [("", "Recognise it from the file"), *((f, f.upper()) for f in FORMATS)]


class ImportForm(AccessibleForm):
    file = forms.FileField(
        label="Hash list file",
        help_text="ThreatExchange HMA text (“pdq <hash> [quality]” per line), CSV with "
                  "signal_type and hash columns, or JSON. Large files are fine.")
    fmt = forms.ChoiceField(label="Format", choices=FORMAT_CHOICES, required=False)
    name = forms.CharField(
        label="List name", max_length=100,
        help_text="A new name creates a list; an existing one adds to it (same kind and "
                  "action). Importing the same file twice adds nothing.")
    kind = forms.ChoiceField(label="Kind", choices=HashList.Kind.choices,
                             widget=forms.RadioSelect)
    action = forms.ChoiceField(label="On a match", choices=HashList.Action.choices,
                               widget=forms.RadioSelect, initial=HashList.Action.BLOCK)
    description = forms.CharField(label="Description", max_length=500, required=False,
                                  help_text="Where the list comes from, its licence.")


class SubscribeForm(AccessibleForm):
    url = forms.URLField(
        label="Feed address", max_length=2048, assume_scheme="https",
        help_text="A trusted server's published list, e.g. "
                  "https://peer.example/safety/feeds/ncii-victims.json. It must be signed "
                  "by that server.")
    name = forms.CharField(label="List name here", max_length=100)
    action = forms.ChoiceField(label="On a match", choices=HashList.Action.choices,
                               widget=forms.RadioSelect, initial=HashList.Action.BLOCK)


class AllowForm(AccessibleForm):
    signal_type = forms.ChoiceField(label="Hash type", choices=SignalType.choices)
    value = forms.CharField(label="Hash", max_length=64,
                            help_text="Hexadecimal, as shown on the case.")
    reason = forms.CharField(label="Why it is cleared", max_length=500, required=False)

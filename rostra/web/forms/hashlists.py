"""The hash-list page's forms: import a file, subscribe to a feed, clear a hash."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from rostra.safety.list_formats import FORMATS
from rostra.safety.models import HashList, SignalType
from rostra.web.forms.account import AccessibleForm

FORMAT_CHOICES = [("", _("Recognise it from the file")), *((f, f.upper()) for f in FORMATS)]


class ImportForm(AccessibleForm):
    file = forms.FileField(
        label=_("Hash list file"),
        help_text=_("ThreatExchange HMA text (“pdq <hash> [quality]” per line), CSV with "
                    "signal_type and hash columns, or JSON. Large files are fine."))
    fmt = forms.ChoiceField(label=_("Format"), choices=FORMAT_CHOICES, required=False)
    name = forms.CharField(
        label=_("List name"), max_length=100,
        help_text=_("A new name creates a list; an existing one adds to it (same kind and "
                    "action). Importing the same file twice adds nothing."))
    kind = forms.ChoiceField(label=_("Kind"), choices=HashList.Kind.choices,
                             widget=forms.RadioSelect)
    action = forms.ChoiceField(label=_("On a match"), choices=HashList.Action.choices,
                               widget=forms.RadioSelect, initial=HashList.Action.BLOCK)
    description = forms.CharField(label=_("Description"), max_length=500, required=False,
                                  help_text=_("Where the list comes from, its licence."))


class SubscribeForm(AccessibleForm):
    url = forms.URLField(
        label=_("Feed address"), max_length=2048, assume_scheme="https",
        help_text=_("A trusted server's published list, e.g. "
                    "https://peer.example/safety/feeds/ncii-victims.json. It must be signed "
                    "by that server."))
    name = forms.CharField(label=_("List name here"), max_length=100)
    action = forms.ChoiceField(label=_("On a match"), choices=HashList.Action.choices,
                               widget=forms.RadioSelect, initial=HashList.Action.BLOCK)


class AllowForm(AccessibleForm):
    signal_type = forms.ChoiceField(label=_("Hash type"), choices=SignalType.choices)
    value = forms.CharField(label=_("Hash"), max_length=64,
                            help_text=_("Hexadecimal, as shown on the case."))
    reason = forms.CharField(label=_("Why it is cleared"), max_length=500, required=False)

"""Moderators' forms for incidents and election periods."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rostra.integrity.incidents import ACT_MEASURES
from rostra.moderation.models import Measure
from rostra.web.forms.account import AccessibleForm
from rostra.web.forms.moderation import DURATIONS

MEASURE_CHOICES = [(m, Measure(m).label) for m in ACT_MEASURES]


class DismissForm(AccessibleForm):
    reason = forms.CharField(
        label=_("Why it is not coordinated inauthentic behaviour"), max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("E.g. a fan community, breaking news, friends sharing each other's posts."))


class ActForm(AccessibleForm):
    accounts = forms.TypedMultipleChoiceField(label=_("Accounts"), coerce=int,
                                              widget=forms.CheckboxSelectMultiple)
    measure = forms.ChoiceField(label=_("Measure"), choices=MEASURE_CHOICES,
                                widget=forms.RadioSelect)
    label = forms.CharField(label=_("Label text (for the label measure)"), required=False,
                            max_length=200)
    explanation = forms.CharField(
        label=_("Why this is inauthentic behaviour"), max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Each account reads this in its statement of reasons, with its own part in "
                    "the incident."))
    facts = forms.CharField(label=_("Further facts you relied on"), required=False,
                            max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    duration = forms.ChoiceField(label=_("Duration"), choices=DURATIONS, required=False)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["accounts"].choices = [(m.account_id, f"@{m.account.acct}")
                                           for m in members]

    def ends_at(self):
        days = self.cleaned_data.get("duration")
        return timezone.now() + timedelta(days=int(days)) if days else None


class ElectionPeriodForm(AccessibleForm):
    name = forms.CharField(label=_("Election"), max_length=200,
                           help_text=_("E.g. European Parliament elections 2029."))
    starts_at = forms.DateTimeField(label=_("Starts (UTC)"),
                                    widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    ends_at = forms.DateTimeField(label=_("Ends (UTC)"),
                                  widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))

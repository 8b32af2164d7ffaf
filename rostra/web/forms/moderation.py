"""Moderators' forms: a decision with its statement of reasons, an appeal, a review."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rostra.moderation.models import Ground, Measure
from rostra.web.forms.account import AccessibleForm

DURATIONS = [("", _("Until further notice")), ("1", _("1 day")), ("7", _("7 days")),
             ("30", _("30 days")), ("90", _("90 days")), ("365", _("1 year"))]


class DecisionForm(AccessibleForm):
    measure = forms.ChoiceField(label=_("Measure"), choices=Measure.choices,
                                widget=forms.RadioSelect)
    ground = forms.ChoiceField(label=_("Ground"), required=False, widget=forms.RadioSelect,
                               choices=Ground.choices)
    legal_ground = forms.CharField(
        label=_("The law (for illegal content)"), required=False, max_length=500,
        help_text=_("E.g. Art. 2 Directive 2011/93/EU; § 130 StGB."))
    terms_ground = forms.CharField(
        label=_("The rule (for content against this server's rules)"), required=False,
        max_length=500, help_text=_("Quote the rule's number and words."))
    explanation = forms.CharField(
        label=_("Why the content breaks it (or why no action)"), max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The people concerned read this in the statement of reasons."))
    facts = forms.CharField(
        label=_("Facts and circumstances relied on"), required=False, max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}))
    label = forms.CharField(label=_("Label text (for the label measure)"), required=False,
                            max_length=200)
    territorial_scope = forms.CharField(
        label=_("Countries (ISO codes, comma-separated)"), required=False, max_length=200,
        help_text=_("Empty: the whole European Economic Area."))
    duration = forms.ChoiceField(label=_("Duration"), choices=DURATIONS, required=False)
    send_flag = forms.BooleanField(
        label=_("Also report it to the account's own server (remote accounts)"), required=False)

    def decision_kwargs(self) -> dict:
        data = self.cleaned_data
        days = data.get("duration")
        return {
            "ground": data.get("ground") or "", "legal_ground": data.get("legal_ground", ""),
            "terms_ground": data.get("terms_ground", ""), "explanation": data["explanation"],
            "facts": data.get("facts", ""), "label": data.get("label", ""),
            "territorial_scope": [c for c in (data.get("territorial_scope") or "")
                                  .replace(" ", ",").split(",") if c],
            "ends_at": timezone.now() + timedelta(days=int(days)) if days else None,
            "send_flag": data.get("send_flag", False),
        }


class AppealForm(AccessibleForm):
    text = forms.CharField(label=_("Why the decision should change"), max_length=5000,
                           widget=forms.Textarea(attrs={"rows": 5}))


class ReviewForm(AccessibleForm):
    outcome = forms.ChoiceField(label=_("Outcome"), widget=forms.RadioSelect, choices=[
        ("uphold", _("Uphold the decision")), ("reverse", _("Reverse the decision"))])
    response = forms.CharField(label=_("Explain the outcome to the people concerned"),
                               max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))


class FlaggerForm(AccessibleForm):
    name = forms.CharField(label=_("Organisation"), max_length=200)
    email_domain = forms.CharField(
        label=_("E-mail domain"), required=False, max_length=253,
        help_text=_("Notices from addresses at this domain count as theirs, e.g. hotline.example."))
    accounts = forms.CharField(
        label=_("Their accounts here"), required=False, max_length=1000,
        help_text=_("Usernames, separated by spaces or commas."))


class PeriodForm(AccessibleForm):
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To (included)"), widget=forms.DateInput(attrs={"type": "date"}))

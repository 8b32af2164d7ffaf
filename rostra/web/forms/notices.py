"""The public notice form (Art. 16 DSA): anyone, with or without an account."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from rostra.moderation.models import Category
from rostra.web.forms.account import AccessibleForm


class NoticeForm(AccessibleForm):
    content_url = forms.URLField(
        label=_("The exact address (URL) of the content"), max_length=2048,
        help_text=_("Copy it from the address bar or the post's date link."),
        assume_scheme="https")
    category = forms.ChoiceField(label=_("What is wrong with it"), choices=Category.choices,
                                 widget=forms.RadioSelect)
    explanation = forms.CharField(
        label=_("Why it is illegal or against this server's rules"), max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Name the law or rule if you can, and what in the content breaks it."))
    name = forms.CharField(label=_("Your name"), max_length=200, required=False)
    email = forms.EmailField(
        label=_("Your e-mail address"), required=False,
        help_text=_("For the receipt and our decision. Required, except for notices of child "
                    "sexual abuse material, which may be anonymous."))
    good_faith = forms.BooleanField(
        label=_("I believe, in good faith, that the information in this notice is accurate "
                "and complete."), required=True)

"""Forms of the self-service blocking pages (``/protect``): no account needed.

The page's script sends JSON (see ``rostra.web.views.protect``); these forms serve
the route without JavaScript: fingerprints computed elsewhere and pasted, and the
withdrawal. The rules (formats, caps) are ``rostra.safety.ncii``'s; its
``NciiError`` messages are shown next to the field.
"""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from rostra.safety import ncii
from rostra.web.forms.account import AccessibleForm

CONSENT_LABEL = _("These images show me, and I want them blocked here (or I help the person "
                  "they show, who asked me to).")


class SubmitForm(AccessibleForm):
    fingerprints = forms.CharField(
        label=_("Fingerprints, one image per line"),
        max_length=ncii.MAX_IMAGES * 200,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false", "autocomplete": "off",
                                     "autocapitalize": "none", "class": "protect-hex"}),
        help_text=_("For each image: its SHA-256, MD5, PDQ and PDQ quality (0-100), "
                    "separated by spaces."))
    consent = forms.BooleanField(label=CONSENT_LABEL, required=True)

    def clean_fingerprints(self) -> list[dict]:
        """The pasted lines as the image dicts ``ncii.submit`` takes."""
        lines = [line.strip() for line in self.cleaned_data["fingerprints"].splitlines()]
        images = []
        for n, line in enumerate((line for line in lines if line), 1):
            parts = re.split(r"[\s,;]+", line)
            if len(parts) != 4 or not (parts[3].isascii() and parts[3].isdigit()):
                raise forms.ValidationError(
                    _("Line %(number)s: write four values, the SHA-256, the MD5, the PDQ and "
                      "the quality, separated by spaces.") % {"number": n})
            images.append({"sha256": parts[0], "md5": parts[1], "pdq": parts[2],
                           "quality": int(parts[3])})
        try:
            ncii.parse_images(images)
        except ncii.NciiError as exc:
            if exc.image is None:
                raise forms.ValidationError(str(exc)) from exc
            raise forms.ValidationError(_("Line %(n)s: %(reason)s")
                                        % {"n": exc.image, "reason": exc.reason}) from exc
        return images


class WithdrawForm(AccessibleForm):
    number = forms.CharField(
        label=_("Case number"), max_length=32,
        help_text=_("As it was shown when you sent the fingerprints, e.g. N-2026-000123."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false",
                                      "autocapitalize": "characters"}))
    secret = forms.CharField(
        label=_("Withdrawal secret"), max_length=64,
        help_text=_("The 24 letters and digits shown once with the case number."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false",
                                      "autocapitalize": "characters"}))

    def clean_number(self) -> str:
        try:
            return ncii.normalize_number(self.cleaned_data["number"])
        except ncii.NciiError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean_secret(self) -> str:
        try:
            return ncii.normalize_secret(self.cleaned_data["secret"])
        except ncii.NciiError as exc:
            raise forms.ValidationError(str(exc)) from exc

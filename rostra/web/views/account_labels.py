"""Moderators' page of account labels (state-affiliated media, government, official
body): add one by handle, see the live ones, lift one. The rules are in
``rostra.integrity.labels``."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from rostra.accounts.services import find_account
from rostra.integrity import labels
from rostra.integrity.models import AccountLabel
from rostra.web.views.settings import staff_required


class LabelForm(forms.Form):
    handle = forms.CharField(label=gettext_lazy("Account"), max_length=320,
                             help_text=gettext_lazy("@name for an account here, @name@server "
                                                    "for one elsewhere (it must be known here "
                                                    "already)."))
    kind = forms.ChoiceField(label=gettext_lazy("Label"), choices=AccountLabel.Kind.choices)
    country = forms.CharField(label=gettext_lazy("Country"), max_length=2, required=False,
                              help_text=gettext_lazy("Two-letter ISO code (RU, CN, FR…): the "
                                                     "state the media is affiliated with, or "
                                                     "the government's."))
    source_url = forms.CharField(label=gettext_lazy("Source (address)"), max_length=2048,
                                 required=False,
                                 help_text=gettext_lazy("Where the fact is documented (a "
                                                        "register, the outlet's own statement, "
                                                        "a regulator's decision)."))
    source_note = forms.CharField(label=gettext_lazy("Source (note)"), max_length=500,
                                  required=False)
    since = forms.DateField(label=gettext_lazy("Since"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}),
                            help_text=gettext_lazy("The date the fact holds from; today if "
                                                   "empty."))


def _account(handle: str):
    username, _at, domain = handle.strip().lstrip("@").partition("@")
    return find_account(username, domain) if username else None


@require_http_methods(["GET", "POST"])
@staff_required
def index(request):
    """List the live labels; add one (POST)."""
    form = LabelForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            account = _account(data["handle"])
            try:
                if account is None:
                    raise labels.LabelError(_("No account %(handle)s is known here.")
                                            % {"handle": data["handle"]},
                                            "handle")
                labels.add_label(account, data["kind"], by=request.user,
                                 country=data["country"], source_url=data["source_url"],
                                 source_note=data["source_note"],
                                 since=data["since"] or timezone.localdate())
            except labels.LabelError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc))
            else:
                messages.success(request, _("@%(acct)s labelled.") % {"acct": account.acct})
                return redirect("web:moderation_labels")
        status = 400
    return render(request, "web/moderation/labels.html", {
        "labels": list(labels.live_labels()[:500]), "form": form,
        "section": "moderation_labels"}, status=status)


@require_POST
@staff_required
def remove(request, label_id: int):
    """Lift a label (kept on record, and in the audit log)."""
    label = get_object_or_404(AccountLabel.objects.select_related("account"), pk=label_id,
                              removed_at__isnull=True)
    try:
        labels.remove_label(label, by=request.user)
    except labels.LabelError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Label lifted from @%(acct)s.")
                         % {"acct": label.account.acct})
    return redirect("web:moderation_labels")

"""Researchers' access (DSA Art. 40(12)): the public page that explains what data
is available and takes applications, and the administrators' page that decides.
The rules are in ``rostra.integrity.research``."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from rostra.core import rate_limits
from rostra.integrity import research
from rostra.integrity.models import Researcher
from rostra.web.views.settings import staff_required

APPLICATIONS_PER_HOUR = 5  # per client address: the form is open to anyone


class ApplicationForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Your name"), max_length=research.LIMITS["name"])
    organisation = forms.CharField(
        label=gettext_lazy("Research organisation"), max_length=research.LIMITS["organisation"],
        help_text=gettext_lazy("The university, institute or body you work for."))
    email = forms.EmailField(
        label=gettext_lazy("E-mail address"),
        help_text=gettext_lazy("Preferably at your organisation: the decision and the key are "
                               "sent here."))
    purpose = forms.CharField(
        label=gettext_lazy("Research purpose"), max_length=research.LIMITS["purpose"],
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("What you study, which data you need and for how long, and how "
                               "you will protect it and publish the results."))


@require_http_methods(["GET", "POST"])
def apply(request):
    """The public page: what is available, on what terms, and the application form."""
    form = ApplicationForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if rate_limits.over_limit("research_apply", rate_limits.client_key(request),
                                  APPLICATIONS_PER_HOUR, 3600):
            form.add_error(None, _("Too many applications from your address; "
                                   "try again later."))
            status = 429
        elif form.is_valid():
            try:
                research.apply(**form.cleaned_data)
            except research.ResearchError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc))
            else:
                return render(request, "web/research/applied.html",
                              {"email": form.cleaned_data["email"]})
        status = status if status != 200 else 400
    return render(request, "web/research/apply.html", {"form": form}, status=status)


@require_http_methods(["GET"])
@staff_required
def index(request):
    """Applications by status (staff may read; only administrators decide)."""
    rows = list(Researcher.objects.select_related("decided_by").order_by("-created_at")[:500])
    return render(request, "web/moderation/researchers.html", {
        "pending": [r for r in rows if r.status == Researcher.Status.PENDING],
        "decided": [r for r in rows if r.status != Researcher.Status.PENDING],
        "can_decide": request.user.is_superuser, "default_days": research.DEFAULT_DAYS,
        "section": "moderation_researchers"})


ACTIONS = {"approve", "reissue", "reject", "revoke"}


@require_POST
@staff_required
def decide(request, researcher_id: int, action: str):
    if action not in ACTIONS:
        raise PermissionDenied(_("Unknown action."))
    if not request.user.is_superuser:
        raise PermissionDenied(_("Only an administrator can decide on researchers' access."))
    found = get_object_or_404(Researcher, pk=researcher_id)
    note = request.POST.get("note", "")
    try:
        if action in ("approve", "reissue"):
            try:
                days = int(request.POST.get("days") or research.DEFAULT_DAYS)
            except ValueError:
                raise research.ResearchError(_("The validity is a number of days.")) from None
            research.approve(found, by=request.user, note=note, days=days)
            messages.success(request, _("Key for %(name)s issued and sent to %(email)s.")
                             % {"name": found.name, "email": found.email})
        elif action == "reject":
            research.reject(found, by=request.user, note=note)
            messages.success(request,
                             _("Application of %(name)s declined.") % {"name": found.name})
        else:
            research.revoke(found, by=request.user, note=note)
            messages.success(request, _("Access of %(name)s revoked.") % {"name": found.name})
    except research.ResearchError as exc:
        messages.error(request, str(exc))
    return redirect("web:moderation_researchers")

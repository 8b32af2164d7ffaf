"""Sharing coordinated-behaviour findings with partners (issue 10, point 3):
downloading an incident as a STIX 2.1 bundle, importing a partner's bundle as a
watch list, the watch lists with their indicators, the matches they raised, and
switching a list off. A thin door over ``integrity.stix_export``, ``stix_import``
and ``watchlists``; exports and imports go to the moderation audit log."""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from rostra.integrity import watchlists
from rostra.integrity.models import Incident, WatchMatch, WatchSource
from rostra.integrity.stix_export import TLP_LEVELS, export_incident
from rostra.integrity.stix_import import MAX_BYTES, StixImportError, import_bundle
from rostra.moderation.services import audit
from rostra.web.views.settings import staff_required

INDICATORS_SHOWN = 20
MATCHES_SHOWN = 100


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("STIX 2.1 bundle (JSON)"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "At most %(size)s MB. Indicators on domains, URLs and accounts become a watch "
            "list.") % {"size": MAX_BYTES // (1024 * 1024)}


def _sources() -> list[dict]:
    now = timezone.now()
    live = Q(indicators__valid_until__isnull=True) | Q(indicators__valid_until__gt=now)
    rows = []
    for source in (WatchSource.objects.annotate(
            total=Count("indicators", distinct=True),
            live=Count("indicators", filter=live, distinct=True),
            matched=Count("indicators__matches", distinct=True))
            .select_related("imported_by").order_by("-imported_at", "-pk")):
        rows.append({"source": source, "indicators": list(
            source.indicators.order_by("kind", "value")[:INDICATORS_SHOWN])})
    return rows


def _page(request, *, form=None, status=200):
    matches = (WatchMatch.objects.select_related("indicator__source", "post__account", "account")
               .order_by("-matched_at", "-pk")[:MATCHES_SHOWN])
    return render(request, "web/moderation/integrity_sharing.html", {
        "sources": _sources(), "form": form or ImportForm(), "indicators_shown": INDICATORS_SHOWN,
        "matches": [{"match": m, "post_url": watchlists.post_url(m.post) if m.post else ""}
                    for m in matches],
        "matches_shown": MATCHES_SHOWN, "section": "moderation_integrity"}, status=status)


@require_safe
@staff_required
def sharing(request):
    return _page(request)


@require_POST
@staff_required
def sharing_import(request):
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, form=form, status=400)
    upload = form.cleaned_data["file"]
    if upload.size > MAX_BYTES:
        form.add_error("file", _("The file is %(size)s bytes; the limit is %(limit)s.")
                       % {"size": f"{upload.size:,}", "limit": f"{MAX_BYTES:,}"})
        return _page(request, form=form, status=400)
    try:
        source = import_bundle(upload.read(), by=request.user)
    except StixImportError as error:
        form.add_error("file", str(error))
        return _page(request, form=form, status=400)
    report = source.report
    messages.success(request, _(
        "Imported the watch list of %(name)s: %(created)s new and %(updated)s updated "
        "indicators, %(expired)s expired; %(matches)s matches in recent posts.") % {
            "name": source.name, "created": report.created, "updated": report.updated,
            "expired": report.expired, "matches": report.matches})
    if report.skipped or report.unmatchable:
        messages.warning(request, _(
            "%(skipped)s indicators on other kinds of objects and %(unmatchable)s values this "
            "server cannot match (e.g. other networks' account ids) were left out.") % {
                "skipped": report.skipped, "unmatchable": report.unmatchable})
    return redirect("web:moderation_integrity_sharing")


@require_POST
@staff_required
def source_active(request, source_id: int):
    source = get_object_or_404(WatchSource, pk=source_id)
    watchlists.set_source_active(source, request.POST.get("active") == "1", by=request.user)
    return redirect("web:moderation_integrity_sharing")


@require_safe
@staff_required
def incident_stix(request, incident_id: int):
    """The incident's STIX bundle as a download, at the TLP the moderator chose."""
    incident = get_object_or_404(Incident, pk=incident_id)
    tlp = request.GET.get("tlp", "amber")
    if tlp not in TLP_LEVELS:
        return HttpResponseBadRequest(_("TLP must be one of %(levels)s.")
                                      % {"levels": ", ".join(TLP_LEVELS)})
    bundle = export_incident(incident, tlp=tlp)
    audit(request.user, "incident.stix_exported", incident.case, incident=incident.pk, tlp=tlp,
          objects=len(bundle["objects"]))
    response = HttpResponse(json.dumps(bundle, indent=1),
                            content_type="application/stix+json;version=2.1")
    response["Content-Disposition"] = (
        f'attachment; filename="incident-{incident.pk}-tlp-{tlp.replace("+", "-")}.stix.json"')
    return response

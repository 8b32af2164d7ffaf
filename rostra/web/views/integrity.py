"""Moderators' integrity pages: incidents of coordinated behaviour (the list, one
incident with its evidence, network and timeline, and the actions on it) and the
election periods that turn election mode on."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from rostra.accounts.models import Account
from rostra.integrity import election, incidents
from rostra.integrity.disarm import technique
from rostra.integrity.models import DetectorState, ElectionPeriod, Incident
from rostra.moderation.models import Decision
from rostra.web import integrity_charts
from rostra.web.forms.integrity import ActForm, DismissForm, ElectionPeriodForm
from rostra.web.views.settings import staff_required

PAGE = 100
SECTION = "moderation_integrity"


@require_safe
@staff_required
def incident_list(request):
    status = request.GET.get("status", "live")
    found = Incident.objects.annotate(size=Count("members"))
    if status == "live":
        found = found.filter(status__in=incidents.LIVE)
    elif status in Incident.Status.values:
        found = found.filter(status=status)
    else:
        status = "all"
    state = DetectorState.objects.filter(name="coordination").first()
    return render(request, "web/moderation/integrity_list.html", {
        "incidents": list(found[:PAGE]), "status": status, "statuses": Incident.Status.choices,
        "period": election.current_period(), "state": state, "section": SECTION})


def _incident(incident_id: int) -> Incident:
    return get_object_or_404(Incident.objects.select_related("case"), pk=incident_id)


def _page(request, found: Incident, *, act_form=None, dismiss_form=None, status=200):
    members = list(found.members.select_related("account").order_by("-weight", "account_id"))
    for member in members:
        member.behaviour_labels = [_(incidents.behaviour_label(b)) for b in member.behaviours]
    evidence = list(found.evidence_posts.select_related("account", "reblog_of__account",
                                                        "in_reply_to__account")
                    .order_by("published", "id"))
    edges = (found.details or {}).get("edges") or []
    actions = (found.details or {}).get("actions") or []
    decision_ids = [pk for a in actions for pk in (a.get("decisions") or {}).values()]
    return render(request, "web/moderation/integrity_incident.html", {
        "incident": found, "members": members, "evidence": evidence,
        "network": integrity_charts.network(members, edges),
        "timeline": integrity_charts.timeline(evidence),
        "techniques": [(t, technique(t)) for t in found.techniques],
        "behaviours": [_(incidents.behaviour_label(b)) for b in found.behaviours],
        "figures": sorted(((found.details or {}).get("figures") or {}).items()),
        "dismissal": (found.details or {}).get("dismissal"),
        "decisions": list(Decision.objects.filter(pk__in=decision_ids)
                          .select_related("case", "target_account", "decided_by")),
        "act_form": act_form or ActForm(members=members),
        "dismiss_form": dismiss_form or DismissForm(),
        "section": SECTION}, status=status)


@require_safe
@staff_required
def incident(request, incident_id: int):
    return _page(request, _incident(incident_id))


@require_POST
@staff_required
def incident_review(request, incident_id: int):
    found = _incident(incident_id)
    try:
        incidents.start_review(found, by=request.user)
    except incidents.IncidentError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("You are reviewing this incident."))
    return redirect("web:moderation_incident", incident_id=found.pk)


@require_POST
@staff_required
def incident_dismiss(request, incident_id: int):
    found = _incident(incident_id)
    form = DismissForm(request.POST)
    if form.is_valid():
        try:
            incidents.dismiss(found, by=request.user, reason=form.cleaned_data["reason"])
        except incidents.IncidentError as exc:
            form.add_error("reason" if exc.field == "reason" else None, str(exc))
        else:
            messages.success(request, _("Incident dismissed."))
            return redirect("web:moderation_incident", incident_id=found.pk)
    return _page(request, found, dismiss_form=form, status=400)


@require_POST
@staff_required
def incident_act(request, incident_id: int):
    """Act on the chosen accounts: a case, a decision and a statement of reasons each."""
    found = _incident(incident_id)
    members = list(found.members.select_related("account"))
    form = ActForm(request.POST, members=members)
    if form.is_valid():
        chosen = list(Account.objects.filter(pk__in=form.cleaned_data["accounts"]))
        try:
            taken = incidents.act(found, chosen, form.cleaned_data["measure"], by=request.user,
                                  explanation=form.cleaned_data["explanation"],
                                  facts=form.cleaned_data["facts"],
                                  label=form.cleaned_data["label"], ends_at=form.ends_at())
        except incidents.IncidentError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(request, ngettext(
                "Decided on %(count)s account(s); each has its statement of reasons.",
                "Decided on %(count)s account(s); each has its statement of reasons.",
                len(taken)) % {"count": len(taken)})
            return redirect("web:moderation_incident", incident_id=found.pk)
    return _page(request, found, act_form=form, status=400)


@require_http_methods(["GET", "POST"])
@staff_required
def elections(request):
    """Election periods: while one is on, detection tightens and alerts moderators."""
    form = ElectionPeriodForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                election.add_period(name=form.cleaned_data["name"],
                                    starts_at=form.cleaned_data["starts_at"],
                                    ends_at=form.cleaned_data["ends_at"], by=request.user)
            except election.ElectionError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc))
            else:
                messages.success(request, _("Election period set."))
                return redirect("web:moderation_elections")
        status = 400
    return render(request, "web/moderation/integrity_elections.html", {
        "form": form, "periods": list(ElectionPeriod.objects.select_related("created_by")[:50]),
        "current": election.current_period(), "now": timezone.now(),
        "interval": election.interval_minutes(False),
        "election_interval": election.interval_minutes(True), "section": SECTION},
        status=status)


@require_POST
@staff_required
def election_end(request, period_id: int):
    period = get_object_or_404(ElectionPeriod, pk=period_id)
    try:
        ended = election.end_period(period, by=request.user)
    except election.ElectionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Election period ended.") if ended else
                         _("Election period withdrawn."))
    return redirect("web:moderation_elections")

"""Moderators' pages: the queue of open cases in the order to take them, a case with
its decision form, and the appeals waiting for another moderator's review."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from rostra.accounts.services import find_account
from rostra.moderation import appeals, decisions, services, shield
from rostra.moderation.models import Appeal, AuditEntry, Case, TrustedFlagger
from rostra.posts import quarantine
from rostra.web.forms.moderation import DecisionForm, FlaggerForm, PeriodForm, ReviewForm
from rostra.web.views.settings import staff_required

PAGE = 100


@require_safe
@staff_required
def queue(request):
    cases = list(services.queue().select_related("target_account", "trusted_flagger")[:PAGE])
    now = timezone.now()
    return render(request, "web/moderation/queue.html", {
        "cases": cases, "now": now, "overdue": sum(c.due_at < now for c in cases),
        "section": "moderation"})


@require_safe
@staff_required
def case(request, case_id: int):
    return _case_page(request, _case(case_id), DecisionForm())


def _case(case_id: int) -> Case:
    return get_object_or_404(Case.objects.select_related("target_account", "notifier",
                                                         "trusted_flagger"), pk=case_id)


def _case_page(request, found: Case, form: DecisionForm, status: int = 200):
    return render(request, "web/moderation/case.html", {
        "case": found, "posts": list(found.target_posts.select_related("account")),
        "notes": list(found.notes.select_related("author")),
        "related": services.related_cases(found),
        "decisions": list(found.decisions.select_related("decided_by")
                          .prefetch_related("appeals")),
        "media": list(found.media.all()), "held_posts": shield.held_posts(found),
        "audit": list(found.audit.select_related("actor")[:50]),
        "form": form, "now": timezone.now(), "section": "moderation"}, status=status)


@require_POST
@staff_required
def decide(request, case_id: int):
    """Take a decision on the case; its statement of reasons goes to those concerned."""
    found = _case(case_id)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            decision = decisions.decide(found, form.cleaned_data["measure"], by=request.user,
                                        **form.decision_kwargs())
        except services.NoticeError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(request, _("Decided: %(measure)s.")
                             % {"measure": decision.get_measure_display()})
            return redirect("web:moderation_case", case_id=found.pk)
    return _case_page(request, found, form, status=400)


@require_safe
@staff_required
def appeal_queue(request):
    return render(request, "web/moderation/appeals.html", {
        "appeals": list(appeals.pending()[:PAGE]), "section": "moderation"})


@require_http_methods(["GET", "POST"])
@staff_required
def appeal(request, appeal_id: int):
    """An appeal, the decision it contests, and the review form (another moderator)."""
    found = get_object_or_404(Appeal.objects.select_related(
        "decision__case", "decision__decided_by", "account", "reviewer"), pk=appeal_id)
    form = ReviewForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                appeals.review(found, by=request.user,
                               reverse=form.cleaned_data["outcome"] == "reverse",
                               response=form.cleaned_data["response"])
            except services.NoticeError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Appeal %(outcome)s.")
                                 % {"outcome": found.get_status_display().lower()})
                return redirect("web:moderation_appeals")
        status = 400
    decision = found.decision
    return render(request, "web/moderation/appeal.html", {
        "appeal": found, "decision": decision, "lines": decisions.statement_lines(decision),
        "posts": list(decision.target_posts.select_related("account")),
        "own_decision": decision.decided_by_id == request.user.pk,
        "form": form, "section": "moderation"}, status=status)


@require_POST
@staff_required
def assign(request, case_id: int):
    found = get_object_or_404(Case, pk=case_id)
    mine = request.POST.get("to") != "nobody"
    services.assign(found, request.user if mine else None, by=request.user)
    return redirect("web:moderation_case", case_id=found.pk)


@require_POST
@staff_required
def note(request, case_id: int):
    found = get_object_or_404(Case, pk=case_id)
    try:
        services.add_note(found, request.user, request.POST.get("text", ""))
    except services.NoticeError as exc:
        messages.error(request, str(exc))
    return redirect("web:moderation_case", case_id=found.pk)


@require_safe
@staff_required
def audit_log(request):
    """Every moderation action, newest first (the log is append-only)."""
    entries = list(AuditEntry.objects.select_related("actor", "case")[:200])
    return render(request, "web/moderation/audit.html", {"entries": entries,
                                                          "section": "moderation"})


@require_http_methods(["GET", "POST"])
@staff_required
def flaggers(request):
    """Trusted flaggers (Art. 22 DSA): designate one, suspend or restore its status."""
    form = FlaggerForm(request.POST or None)
    status = 200
    if request.method == "POST" and "flagger" in request.POST:
        found = get_object_or_404(TrustedFlagger, pk=request.POST.get("flagger"))
        services.set_flagger_active(request.user, found, request.POST.get("active") == "1")
        return redirect("web:moderation_flaggers")
    if request.method == "POST":
        if form.is_valid():
            names = [n.lstrip("@") for n in
                     form.cleaned_data["accounts"].replace(",", " ").split() if n]
            found_accounts = [find_account(n) for n in names]
            missing = [n for n, a in zip(names, found_accounts, strict=True) if a is None]
            try:
                if missing:
                    raise services.NoticeError(_("No account here: %(names)s.")
                                               % {"names": ", ".join(missing)},
                                               "accounts")
                services.designate_flagger(request.user, name=form.cleaned_data["name"],
                                           email_domain=form.cleaned_data["email_domain"],
                                           accounts=found_accounts)
            except services.NoticeError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc))
            else:
                messages.success(request, _("Trusted flagger designated."))
                return redirect("web:moderation_flaggers")
        status = 400
    return render(request, "web/moderation/flaggers.html", {
        "flaggers": list(TrustedFlagger.objects.prefetch_related("accounts")
                         .order_by("-active", "name")),
        "form": form, "section": "moderation"}, status=status)


@require_safe
@staff_required
def transparency(request):
    """The transparency report (Art. 15/24 DSA) for a period: the page the CLI writes.
    Without a period, a form (the last full calendar year by default)."""
    from rostra.moderation.transparency_figures import figures
    from rostra.moderation.transparency_report import html

    last_year = timezone.now().year - 1
    form = PeriodForm(request.GET or None, initial={
        "start": date(last_year, 1, 1), "end": date(last_year, 12, 31)})
    if request.GET and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        if end >= start:
            return HttpResponse(html(figures(start, end)))
        form.add_error("end", "The period ends after it starts.")
    return render(request, "web/moderation/transparency.html", {
        "form": form, "section": "moderation"}, status=400 if request.GET else 200)


@require_safe
@staff_required
def case_media(request, case_id: int, media_id: int, which: str):
    """A case's media file for moderators, quarantined or not (logged in the audit
    when the full file is opened)."""
    found = _case(case_id)
    media = get_object_or_404(found.media.all(), pk=media_id)
    try:
        handle = quarantine.open_file(media, "thumbnail" if which == "thumbnail" else "file")
    except FileNotFoundError:
        raise Http404("No such file.") from None
    if which != "thumbnail":
        services.audit(request.user, "media.viewed", found, media=media.pk)
    response = FileResponse(handle, content_type="image/jpeg" if which == "thumbnail"
                            else media.mime_type or "application/octet-stream")
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


@require_POST
@staff_required
def shield_action(request, case_id: int):
    """Confirm a hash-list match (remove) or clear it (a false positive: publish)."""
    found = _case(case_id)
    explanation = (request.POST.get("explanation") or "").strip()
    try:
        if request.POST.get("action") == "clear":
            shield.clear(found, by=request.user, explanation=explanation or
                         "A moderator found that the file does not match: it is published.")
        elif request.POST.get("action") == "confirm":
            shield.confirm(found, by=request.user, explanation=explanation or
                           "A moderator confirmed that the file matches a list of known "
                           "abusive images: it is removed.")
        elif request.POST.get("action") == "reported":
            services.mark_reported_to_authority(found, by=request.user)
    except services.NoticeError as exc:
        messages.error(request, str(exc))
    return redirect("web:moderation_case", case_id=found.pk)

"""Moderators' pages: the queue of open cases, in the order to take them, and a case."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from rostra.moderation import services
from rostra.moderation.models import AuditEntry, Case
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
    found = get_object_or_404(Case.objects.select_related("target_account", "notifier",
                                                          "trusted_flagger"), pk=case_id)
    return render(request, "web/moderation/case.html", {
        "case": found, "posts": list(found.target_posts.select_related("account")),
        "notes": list(found.notes.select_related("author")),
        "related": services.related_cases(found),
        "audit": list(found.audit.select_related("actor")[:50]),
        "now": timezone.now(), "section": "moderation"})


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

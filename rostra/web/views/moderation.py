"""Moderators' pages: the queue of open cases, in the order to take them, and a case."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from rostra.moderation import services
from rostra.moderation.models import Case
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
        "now": timezone.now(), "section": "moderation"})

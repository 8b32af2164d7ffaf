"""``/moderation/trends``: moderators approve or reject trend candidates (tags,
posts, links), as on Mastodon. With ``ROSTRA_TRENDS_REVIEW`` on, only approved
items trend publicly; a rejection always holds (``timelines.trend_review``)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from rostra.timelines import trend_review, trends
from rostra.web.views.common import viewer
from rostra.web.views.settings import staff_required

SHOWN = 40


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required
def review(request):
    """GET: the candidates as computed, with their decisions; POST ``kind``, ``key``,
    ``decision`` (approved/rejected) decides one."""
    if request.method == "POST":
        try:
            trend_review.decide(request.POST.get("kind", ""), request.POST.get("key", "").strip(),
                                request.POST.get("decision", ""), viewer(request))
        except ValueError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Decision recorded."))
        return redirect("web:moderation_trends")
    tags = trends.tag_candidates()[:SHOWN]
    links = trends.link_candidates()[:SHOWN]
    statuses = trends.status_candidates(None)[:SHOWN]
    kind = trend_review.Kind
    tag_decisions = trend_review.decisions(kind.TAG, [t.subject.name for t in tags])
    link_decisions = trend_review.decisions(kind.LINK, [t.subject for t in links])
    status_decisions = trend_review.decisions(kind.STATUS, [p.pk for p in statuses])
    return render(request, "web/moderation/trends.html", {
        "section": "moderation_trends", "review_required": trend_review.required(),
        "tags": [(t, t.subject.name.lower(), tag_decisions.get(t.subject.name.lower(), ""))
                 for t in tags],
        "links": [(t, t.subject, link_decisions.get(t.subject, "")) for t in links],
        "statuses": [(p, str(p.pk), status_decisions.get(str(p.pk), "")) for p in statuses],
    })

"""Mastodon's admin trends API (4.x): ``/api/v1/admin/trends/tags``, ``/statuses``
and ``/links`` list every trend candidate as computed, those awaiting review
included; ``POST .../:id/approve`` and ``.../:id/reject`` decide one.

A door like the web page ``/moderation/trends``: every decision goes through
``timelines.trend_review.decide``, which records who decided and when. As on
Mastodon, listing needs ``admin:read``, deciding ``admin:write`` (there are no
granular trend scopes), and the user must be staff.

Entities: tags are Mastodon's Admin::Tag (``id``, ``trendable``, ``usable``,
``requires_review``, ``listable``); statuses are Status entities and links
PreviewCards (with an ``id``), each with ``requires_review`` and ``trendable``.
``trendable`` says whether the item may trend publicly now; ``requires_review``
whether it waits for a moderator (``ROSTRA_TRENDS_REVIEW`` on, no decision yet).
A link's id is derived from its URL (``trend_review.link_id``).
"""

from __future__ import annotations

from rostra.accounts.models import Account
from rostra.api.errors import not_found
from rostra.api.serializers.status import serialize_status, serialize_statuses
from rostra.api.serializers.tag import serialize_tag
from rostra.api.serializers.trend import serialize_link
from rostra.api.views.admin import staff_endpoint
from rostra.api.views.lookups import as_id, get_post
from rostra.api.views.trends import _window
from rostra.posts.models import Post, Tag
from rostra.timelines import trend_review, trends
from rostra.timelines.trends import Trend

READ, WRITE = "admin:read", "admin:write"
Kind, Decision = trend_review.Kind, trend_review.Status


def _review_fields(decision: str | None) -> dict:
    return {"trendable": trend_review.trendable(decision),
            "requires_review": trend_review.awaits_review(decision)}


def _admin_tag(tag: Tag, history: list[dict] | None, decision: str | None) -> dict:
    """Mastodon's Admin::Tag. Hashtags are always linked and listed here, so
    ``usable`` and ``listable`` are true."""
    return {**serialize_tag(tag, history), "id": str(tag.pk), "usable": True,
            "listable": True, **_review_fields(decision)}


def _admin_status(post: Post, viewer: Account, decision: str | None) -> dict:
    return {**serialize_status(post, viewer), **_review_fields(decision)}


def _admin_link(trend: Trend, decision: str | None) -> dict:
    return {"id": trend_review.link_id(trend.subject), **serialize_link(trend),
            **_review_fields(decision)}


# --- lists -----------------------------------------------------------------------

@staff_endpoint(["GET"], scope=READ)
def tags(request):
    """Tags of the week as ranked, whatever moderators decided; ``limit``/``offset``."""
    limit, offset = _window(request, 10, 20)
    found = trends.tag_candidates()[offset:offset + limit]
    decided = trend_review.decisions(Kind.TAG, [t.subject.name for t in found])
    return [_admin_tag(t.subject, t.history,
                       decided.get(trend_review.key_for(Kind.TAG, t.subject.name)))
            for t in found]


@staff_endpoint(["GET"], scope=READ)
def statuses(request):
    """Posts of the last 2 days as ranked (no viewer's blocks or mutes apply)."""
    limit, offset = _window(request, 20, 40)
    found = trends.status_candidates(None)[offset:offset + limit]
    decided = trend_review.decisions(Kind.STATUS, [p.pk for p in found])
    viewer = request.api_account
    return [{**entity, **_review_fields(decided.get(str(post.pk)))}
            for post, entity in zip(found, serialize_statuses(found, viewer), strict=True)]


@staff_endpoint(["GET"], scope=READ)
def links(request):
    limit, offset = _window(request, 10, 20)
    found = trends.link_candidates()[offset:offset + limit]
    decided = trend_review.decisions(Kind.LINK, [t.subject for t in found])
    return [_admin_link(t, decided.get(t.subject)) for t in found]


# --- decisions -------------------------------------------------------------------

def _decide_tag(request, tag_id, decision: str) -> dict:
    tag = Tag.objects.filter(pk=as_id(tag_id)).first()
    if tag is None:
        raise not_found()
    review = trend_review.decide(Kind.TAG, tag.name, decision, request.api_account)
    return _admin_tag(tag, None, review.status)


def _decide_status(request, status_id, decision: str) -> dict:
    """Any post the moderator may see (only public ones ever trend)."""
    post = get_post(status_id, request.api_account)
    review = trend_review.decide(Kind.STATUS, post.pk, decision, request.api_account)
    return _admin_status(post, request.api_account, review.status)


def _link(link_id: str) -> Trend:
    """The candidate or already decided link whose id is ``link_id``, else 404."""
    for trend in trends.link_candidates():
        if trend_review.link_id(trend.subject) == link_id:
            return trend
    for url in trend_review.decided_keys(Kind.LINK):
        if trend_review.link_id(url) == link_id:
            return Trend(url)  # not shared this week: no history to tell
    raise not_found()


def _decide_link(request, link_id, decision: str) -> dict:
    trend = _link(str(as_id(link_id)))
    review = trend_review.decide(Kind.LINK, trend.subject, decision, request.api_account)
    return _admin_link(trend, review.status)


@staff_endpoint(["POST"], scope=WRITE)
def approve_tag(request, tag_id):
    return _decide_tag(request, tag_id, Decision.APPROVED)


@staff_endpoint(["POST"], scope=WRITE)
def reject_tag(request, tag_id):
    return _decide_tag(request, tag_id, Decision.REJECTED)


@staff_endpoint(["POST"], scope=WRITE)
def approve_status(request, status_id):
    return _decide_status(request, status_id, Decision.APPROVED)


@staff_endpoint(["POST"], scope=WRITE)
def reject_status(request, status_id):
    return _decide_status(request, status_id, Decision.REJECTED)


@staff_endpoint(["POST"], scope=WRITE)
def approve_link(request, link_id):
    return _decide_link(request, link_id, Decision.APPROVED)


@staff_endpoint(["POST"], scope=WRITE)
def reject_link(request, link_id):
    return _decide_link(request, link_id, Decision.REJECTED)

"""The research API (DSA Art. 40(12)): read-only access to public data for approved
researchers, under ``/api/research/v1/``; see docs/research-api.md.

Not the Mastodon API: a researcher's key (``Authorization: Bearer rrk_...``, from
``integrity.research``), not an OAuth token; its own rate limit per key; errors in
the API's shape (``{"error": "..."}``). What it serves is public by construction:
posts anyone could read logged out (``posts.visibility.visible_q(None)``) that are
``public`` (not unlisted, followers-only or direct), not boosts, not by a limited
or suspended account; public profiles; incidents as aggregate figures only.
"""

from __future__ import annotations

import functools
import math
import time
from datetime import UTC, datetime
from datetime import time as dtime

from django.conf import settings
from django.db.models import Count, Q
from django.http import JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt

from rostra.accounts.models import Account
from rostra.api.errors import ApiError, not_found, validation
from rostra.api.serializers.common import file_url, iso
from rostra.core import rate_limits, replica
from rostra.core import text as text_mod
from rostra.federation import uris
from rostra.integrity import research
from rostra.integrity.labels import labels_for
from rostra.integrity.models import Incident
from rostra.posts.models import Post, PostTag, Visibility
from rostra.posts.queries import load
from rostra.posts.visibility import visible_q

INVALID_KEY = gettext_lazy("The researcher key is missing, invalid, expired or revoked")
DEFAULT_LIMIT, MAX_LIMIT = 40, 200
DEFAULT_RATE = (300, 5 * 60)  # requests per seconds, per key
FAILED_RATE = (30, 5 * 60)  # refused keys, per client address


def _rate() -> tuple[int, int]:
    return tuple(getattr(settings, "ROSTRA_RATE_LIMITS", {}).get("research", DEFAULT_RATE))


def _too_many(usage: rate_limits.Usage) -> JsonResponse:
    response = JsonResponse({"error": _("Too many requests")}, status=429)
    response["Retry-After"] = str(max(1, math.ceil(usage.reset - time.time())))
    return response


def _limit_headers(response, usage: rate_limits.Usage) -> None:
    response["X-RateLimit-Limit"] = str(usage.limit)
    response["X-RateLimit-Remaining"] = str(max(0, usage.remaining))
    response["X-RateLimit-Reset"] = str(int(usage.reset))


def research_endpoint(view):
    """GET only; the researcher's key; the per-key rate limit; JSON errors."""

    @csrf_exempt
    @functools.wraps(view)
    def inner(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return JsonResponse({"error": _("Method %(method)s is not allowed here.")
                                 % {"method": request.method}},
                                status=405, headers={"Allow": "GET, HEAD"})
        kind, __, key = request.headers.get("Authorization", "").partition(" ")
        researcher = research.authenticate(key.strip()) if kind.lower() == "bearer" else None
        if researcher is None:
            if rate_limits.enabled():
                usage = rate_limits.count("research_refused", rate_limits.client_key(request),
                                          *FAILED_RATE)
                if usage.exceeded:
                    return _too_many(usage)
            return JsonResponse({"error": str(INVALID_KEY)}, status=401,
                                headers={"WWW-Authenticate": 'Bearer realm="research"'})
        usage = None
        if rate_limits.enabled():
            usage = rate_limits.count("research", f"researcher:{researcher.pk}", *_rate())
            if usage.exceeded:
                response = _too_many(usage)
                _limit_headers(response, usage)
                return response
        request.researcher = researcher
        try:
            with replica.reading():  # public, heavy, lag-tolerant reads
                payload = view(request, *args, **kwargs)
            response = JsonResponse(payload, safe=False)
        except ApiError as exc:
            response = exc.response()
        if usage is not None:
            _limit_headers(response, usage)
        return response

    return inner


# --- parameters -------------------------------------------------------------------

def _limit(request) -> int:
    raw = request.GET.get("limit") or str(DEFAULT_LIMIT)
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_LIMIT:
        raise validation(_("limit is a number from 1 to %(max_limit)s.")
            % {"max_limit": MAX_LIMIT}, "limit")
    return int(raw)


def _moment(request, name: str, *, end: bool = False) -> datetime | None:
    """``name`` as an aware datetime: ISO 8601 date-time, or a date (its start, or
    with ``end`` its last moment)."""
    raw = (request.GET.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = parse_datetime(raw)
        if value is None and (day := parse_date(raw)) is not None:
            value = datetime.combine(day, dtime.max if end else dtime.min)
    except ValueError:
        value = None
    if value is None:
        raise validation(_("%(name)s is an ISO 8601 date or date-time.") % {"name": name}, name)
    return value if timezone.is_aware(value) else timezone.make_aware(value, UTC)


def _id(request, name: str) -> int | None:
    raw = (request.GET.get(name) or "").strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()):
        raise validation(_("%(name)s is a numeric id.") % {"name": name}, name)
    return int(raw)


def _page(items: list, limit: int, request) -> dict:
    """``{"data": [...], "next_cursor": ...}``: the cursor is the last item's id,
    opaque to clients; ids never change, so pages are stable as data arrives."""
    more = len(items) > limit
    items = items[:limit]
    cursor = str(items[-1]["id"]) if more and items else None
    next_url = None
    if cursor:
        query = request.GET.copy()
        query["cursor"] = cursor
        next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
    return {"data": items, "next_cursor": cursor, "next": next_url}


# --- posts ----------------------------------------------------------------------

def public_posts():
    """Every post the research API may serve (see the module docstring)."""
    return Post.objects.filter(visible_q(None), visibility=Visibility.PUBLIC,
                               reblog_of__isnull=True, account__limited_at__isnull=True)


def _post_json(post: Post, tags: dict[int, list[str]], labels: dict) -> dict:
    account = post.account
    return {
        "id": str(post.pk),
        "uri": post.uri or uris.post_url(post),
        "url": post.origin_url or post.uri or uris.post_url(post),
        "created_at": iso(post.published),
        "edited_at": iso(post.edited_at),
        "language": post.language or None,
        "local": account.local,
        "account": {"id": str(account.pk), "acct": account.acct,
                    "url": account.url or uris.profile_url(account),
                    "labels": [_label_json(x) for x in labels.get(account.pk, [])]},
        "in_reply_to_id": str(post.in_reply_to_id) if post.in_reply_to_id else None,
        "in_reply_to_account_id": str(post.in_reply_to_account_id)
        if post.in_reply_to_account_id else None,
        "spoiler_text": post.spoiler_text,
        "sensitive": post.sensitive,
        "content": post.content,
        "text": text_mod.plain_text(post.content) if post.content else post.text,
        "tags": tags.get(post.pk, []),
        "mentions": [m.acct for m in post.mentions.all()],
        "media": [{"type": m.kind, "url": file_url(m.file) or m.remote_url or None,
                   "description": m.description or None} for m in post.media.all()],
        "moderation_label": post.label or None,
        "replies_count": post.replies_count,
        "reblogs_count": post.reblogs_count,
        "favourites_count": post.favourites_count,
    }


def _posts_json(posts: list[Post]) -> list[dict]:
    tags: dict[int, list[str]] = {}
    for post_id, name in (PostTag.objects.filter(post_id__in=[p.pk for p in posts])
                          .order_by("id").values_list("post_id", "tag__name")):
        tags.setdefault(post_id, []).append(name)
    labels = labels_for({p.account_id for p in posts})
    return [_post_json(p, tags, labels) for p in posts]


@research_endpoint
def posts(request) -> dict:
    """Public posts, newest first; ``since``/``until``, ``tag``, ``account``, ``q``,
    ``local``, ``limit``, ``cursor``."""
    limit = _limit(request)
    qs = public_posts()
    if (since := _moment(request, "since")) is not None:
        qs = qs.filter(published__gte=since)
    if (until := _moment(request, "until", end=True)) is not None:
        qs = qs.filter(published__lte=until)
    if tag := (request.GET.get("tag") or "").strip().lstrip("#").lower():
        qs = qs.filter(post_tags__tag__name=tag)
    if (account_id := _id(request, "account")) is not None:
        qs = qs.filter(account_id=account_id)
    if q := (request.GET.get("q") or "").strip():
        if len(q) > 200:
            raise validation(_("q is limited to 200 characters."), "q")
        # A local post's text is its source; a federated one has only its HTML.
        qs = qs.filter(Q(account__domain="", text__icontains=q)
                       | (~Q(account__domain="") & Q(content__icontains=q)))
    local = (request.GET.get("local") or "").strip().lower()
    if local in ("true", "1"):
        qs = qs.filter(account__domain="")
    elif local in ("false", "0"):
        qs = qs.exclude(account__domain="")
    elif local:
        raise validation(_("local is true or false."), "local")
    if (cursor := _id(request, "cursor")) is not None:
        qs = qs.filter(id__lt=cursor)
    found = load(qs.order_by("-id")[:limit + 1])
    return _page(_posts_json(found), limit, request)


@research_endpoint
def post(request, post_id: str) -> dict:
    wanted = post_id.isascii() and post_id.isdigit()
    found = load(public_posts().filter(pk=int(post_id))) if wanted else []
    if not found:
        raise not_found()
    return _posts_json(found)[0]


# --- accounts -------------------------------------------------------------------

def _label_json(label) -> dict:
    return {"kind": label.kind, "name": label.name, "country": label.country or None,
            "source_url": label.source_url or None,
            "source_note": label.source_note or None, "since": label.since.isoformat()}


@research_endpoint
def account(request, account_id: str) -> dict:
    """A public profile: what the account's page shows anyone."""
    found = Account.objects.filter(pk=int(account_id), suspended_at__isnull=True).first() \
        if account_id.isascii() and account_id.isdigit() else None
    if found is None:
        raise not_found()
    return {
        "id": str(found.pk), "acct": found.acct, "username": found.username,
        "domain": found.domain or None, "local": found.local,
        "display_name": found.display_name, "note": found.note_html,
        "url": found.url or uris.profile_url(found),
        "uri": found.uri or uris.actor_uri(found),
        "created_at": found.created_at.date().isoformat(), "bot": found.bot,
        "locked": found.locked, "discoverable": found.discoverable,
        "fields": [{"name": f.get("name", ""), "value": f.get("value", "")}
                   for f in found.fields or [] if isinstance(f, dict)],
        "followers_count": found.followers_count, "following_count": found.following_count,
        "statuses_count": found.statuses_count,
        "labels": [_label_json(x) for x in labels_for([found]).get(found.pk, [])],
    }


# --- incidents ------------------------------------------------------------------

@research_endpoint
def incidents(request) -> dict:
    """Coordinated-behaviour incidents found here, as aggregates only: no account,
    post, instance, title or summary (those may name people or repeat a partner's
    restricted intelligence); partners' imported incidents are left out."""
    limit = _limit(request)
    qs = Incident.objects.filter(source="detector")
    if status := (request.GET.get("status") or "").strip():
        if status not in Incident.Status.values:
            raise validation(_("status is one of %(values)s.")
                % {"values": ', '.join(Incident.Status.values)},
                             "status")
        qs = qs.filter(status=status)
    if (cursor := _id(request, "cursor")) is not None:
        qs = qs.filter(id__lt=cursor)
    rows = qs.annotate(accounts_count=Count("members", distinct=True),
                       posts_count=Count("evidence_posts", distinct=True)).order_by("-id")
    data = [{
        "id": str(i.pk), "status": i.status, "behaviours": list(i.behaviours or []),
        "techniques": list(i.techniques or []), "strength": round(i.strength, 3),
        "first_seen": iso(i.first_seen), "last_seen": iso(i.last_seen),
        "accounts_count": i.accounts_count, "evidence_posts_count": i.posts_count,
        "instances_count": len(i.instances or []), "election_mode": i.election_mode,
    } for i in rows[:limit + 1]]
    return _page(data, limit, request)

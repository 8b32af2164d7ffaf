"""Content filters (Mastodon's filters v2): a reader hides or flags posts by
keyword or one by one, in the contexts they choose.

A filter is ``warn`` (the post stays, with a ``FilterResult`` the client shows as a
warning) or ``hide`` (the post leaves the list). Keywords match the post's plain
text, content warning and media descriptions, case-insensitively; a ``whole_word``
keyword matches only between word boundaries (``\\b``, as Mastodon does on the
sides where the keyword begins or ends with a word character). A boost is matched
by the boosted post. The reader's own posts are never filtered. Expired filters
(``expires_at`` in the past) match nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from rostra.accounts.models import Account
from rostra.posts.models import Post
from rostra.timelines.errors import TimelineError
from rostra.timelines.models import Filter, FilterKeyword, FilterStatus

CONTEXTS = Filter.CONTEXTS
ACTIONS = tuple(Filter.Action.values)


@dataclass
class FilterResult:
    """Why one post matched one filter (Mastodon's FilterResult)."""

    filter: Filter
    keyword_matches: list[str] | None = None
    status_matches: list[str] | None = field(default=None)


def keyword_pattern(keyword: str, whole_word: bool) -> re.Pattern:
    escaped = re.escape(keyword)
    if whole_word:
        start = r"\b" if re.match(r"\w", keyword) else ""
        end = r"\b" if re.search(r"\w$", keyword) else ""
        escaped = f"{start}{escaped}{end}"
    return re.compile(escaped, re.IGNORECASE)


# --- writing -------------------------------------------------------------------------

def _context(context) -> list[str]:
    values = [str(c) for c in (context or [])]
    unknown = [c for c in values if c not in CONTEXTS]
    if not values or unknown:
        raise TimelineError(_("context must be one or more of %(contexts)s")
            % {"contexts": ', '.join(CONTEXTS)}, "context")
    return list(dict.fromkeys(values))


def _title(title) -> str:
    title = str(title or "").strip()
    if not title:
        raise TimelineError(_("Title can't be blank"), "title")
    return title[:200]


def _action(action) -> str:
    if action not in ACTIONS:
        raise TimelineError(_("filter_action must be one of %(actions)s")
            % {"actions": ', '.join(ACTIONS)},
                            "filter_action")
    return action


def _keyword(keyword) -> str:
    keyword = str(keyword or "").strip()
    if not keyword:
        raise TimelineError(_("Keyword can't be blank"), "keyword")
    return keyword[:200]


def _expiry(expires_in):
    """Seconds from now → a time; None or "" → never."""
    if expires_in in (None, ""):
        return None
    try:
        seconds = int(expires_in)
    except (TypeError, ValueError):
        raise TimelineError(_("expires_in must be a number of seconds"), "expires_in") from None
    if not 0 < seconds < 10 * 365 * 86400:
        raise TimelineError(_("expires_in is out of range"), "expires_in")
    return timezone.now() + timedelta(seconds=seconds)


def create_filter(owner: Account, title: str, context, *, filter_action: str = "warn",
                  expires_in=None, keywords: list[tuple[str, bool]] = ()) -> Filter:
    with transaction.atomic():
        found = Filter.objects.create(account=owner, title=_title(title),
                                      context=_context(context),
                                      filter_action=_action(filter_action),
                                      expires_at=_expiry(expires_in))
        for keyword, whole_word in keywords:
            FilterKeyword.objects.create(filter=found, keyword=_keyword(keyword),
                                         whole_word=whole_word)
    return found


_UNSET = object()


def update_filter(found: Filter, *, title=None, context=None, filter_action=None,
                  expires_in=_UNSET, keywords: list[dict] = ()) -> Filter:
    """Change what is given. ``keywords``: dicts with ``id`` (change or, with
    ``_destroy``, delete that keyword) or without (a new keyword)."""
    with transaction.atomic():
        if title is not None:
            found.title = _title(title)
        if context is not None:
            found.context = _context(context)
        if filter_action is not None:
            found.filter_action = _action(filter_action)
        if expires_in is not _UNSET:
            found.expires_at = _expiry(expires_in)
        found.save()
        for item in keywords:
            row = None
            if item.get("id") not in (None, ""):
                row = found.keywords.filter(pk=_as_int(item["id"])).first()
                if row is None:
                    raise TimelineError(_("Unknown keyword id"), "keywords_attributes")
            if row is not None and item.get("destroy"):
                row.delete()
            elif row is not None:
                update_keyword(row, keyword=item.get("keyword"),
                               whole_word=item.get("whole_word"))
            else:
                add_keyword(found, item.get("keyword"), item.get("whole_word", True))
    return found


def _as_int(value) -> int:
    try:
        return int(str(value))
    except ValueError:
        raise TimelineError(_("Ids are numbers"), "id") from None


def delete_filter(found: Filter) -> None:
    found.delete()


def add_keyword(found: Filter, keyword: str, whole_word: bool = True) -> FilterKeyword:
    return FilterKeyword.objects.create(filter=found, keyword=_keyword(keyword),
                                        whole_word=bool(whole_word))


def update_keyword(row: FilterKeyword, *, keyword=None, whole_word=None) -> FilterKeyword:
    if keyword is not None:
        row.keyword = _keyword(keyword)
    if whole_word is not None:
        row.whole_word = bool(whole_word)
    row.save()
    return row


def update_v1_filter(row: FilterKeyword, *, phrase=None, whole_word=None, context=None,
                     irreversible=None, expires_in=_UNSET) -> FilterKeyword:
    """A v1 filter is one keyword of a v2 filter: ``phrase``/``whole_word`` change
    the keyword, ``context``/``irreversible`` (hide)/``expires_in`` its filter, which
    is refused when that filter has other keywords (they would change too)."""
    found = row.filter
    changes_filter = (context is not None or irreversible is not None
                      or expires_in is not _UNSET)
    if changes_filter and found.keywords.exclude(pk=row.pk).exists():
        raise TimelineError(_("This filter has several keywords; change it through "
          "/api/v2/filters"), "context")
    alone = not found.keywords.exclude(pk=row.pk).exists()
    with transaction.atomic():
        update_keyword(row, keyword=phrase, whole_word=whole_word)
        update_filter(found, title=phrase if alone else None, context=context,
                      filter_action=None if irreversible is None
                      else ("hide" if irreversible else "warn"),
                      expires_in=expires_in)
    return row


def delete_v1_filter(row: FilterKeyword) -> None:
    """Delete a v1 filter: its keyword, and its v2 filter when no keyword is left."""
    with transaction.atomic():
        found = row.filter
        row.delete()
        if not found.keywords.exists():
            found.delete()


def add_status(found: Filter, post: Post) -> FilterStatus:
    row, __ = FilterStatus.objects.get_or_create(filter=found, post=post)
    return row


# --- reading ---------------------------------------------------------------------------

def filters_of(owner: Account):
    return (Filter.objects.filter(account=owner).order_by("id")
            .prefetch_related("keywords", "statuses"))


def active_filters(viewer: Account | None, context: str) -> list[Filter]:
    """The viewer's unexpired filters that apply in ``context``."""
    if viewer is None:
        return []
    rows = (Filter.objects.filter(account=viewer)
            .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))
            .prefetch_related(Prefetch("keywords"), Prefetch("statuses")))
    return [f for f in rows if context in (f.context or [])]


def _searchable(post: Post) -> str:
    text = post.text or strip_tags(post.content or "")
    descriptions = [m.description for m in post.media.all() if m.description]
    return "\n".join([post.spoiler_text or "", text, *descriptions])


def match(post: Post, filters: list[Filter]) -> list[FilterResult]:
    """The filters ``post`` (or the post it boosts) matches, with what matched."""
    target = post.reblog_of if post.reblog_of_id else post
    text = None
    results = []
    for found in filters:
        keywords = []
        for row in found.keywords.all():
            if text is None:
                text = _searchable(target)
            if keyword_pattern(row.keyword, row.whole_word).search(text):
                keywords.append(row.keyword)
        statuses = [str(s.post_id) for s in found.statuses.all()
                    if s.post_id in (target.pk, post.pk)]
        if keywords or statuses:
            results.append(FilterResult(found, keywords or None, statuses or None))
    return results


def apply(viewer: Account | None, posts: list[Post], context: str) -> list[Post]:
    """``posts`` without those a ``hide`` filter matches; each kept post gets
    ``filter_results`` (its ``warn`` matches) for the Status entity."""
    filters = active_filters(viewer, context)
    if not filters:
        return posts
    kept = []
    for post in posts:
        if viewer is not None and post.account_id == viewer.pk:
            kept.append(post)
            continue
        results = match(post, filters)
        if any(r.filter.filter_action == Filter.Action.HIDE for r in results):
            continue
        post.filter_results = results
        kept.append(post)
    return kept

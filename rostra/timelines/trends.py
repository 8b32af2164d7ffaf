"""Trends, with definitions a reader can check by hand: no model, no
personalisation. Each trend is a weighted count of the distinct accounts that took
an item up in public posts (the rule and its published parameters are in
``feeds.trending``: each account once, young and coordinated accounts count less,
at most ``instance_cap`` accounts per server count toward one item):

* tags: hashtags of public posts of the last 7 days, then by uses;
* statuses: public posts (not boosts) of the last 2 days, by the accounts that
  boosted, liked or replied to them (the author's own aside), at most
  ``author_cap`` posts per author; the "Trending everywhere" feed's ranking;
* links: URLs in public posts of the last 7 days, then by shares.

Posts of suspended accounts never count. With moderator review on
(``trend_review``) only approved items are public; ``*_candidates`` list what is
computed, for the review page. ``history`` is Mastodon's: one entry per day for
the last 7 days, newest first, ``day`` the UTC midnight as a Unix time.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from rostra.accounts.domain_blocks import domain_hidden_q
from rostra.accounts.models import Account
from rostra.accounts.services import blocked_account_ids, muted_account_ids
from rostra.core.ids import id_floor
from rostra.core.text import extract_urls
from rostra.posts.models import Post, PostTag, Tag, Visibility
from rostra.posts.visibility import discoverable_q
from rostra.timelines import trend_review
from rostra.timelines.feeds.trending import rank_trending, trend_inputs, voices_of, weigh

TAG_DAYS = 7
STATUS_DAYS = 2
LINK_DAYS = 7
HISTORY_DAYS = 7

# One use of a tag or link: (published, account id, account's server, account created).
Use = tuple[datetime, int, str, datetime]


@dataclass
class Trend:
    """One trending thing: a ``Tag`` or a URL, with its weighted ``score``, counts and
    ``history`` (``[{"day": unix, "uses": n, "accounts": n}]``, newest day first)."""

    subject: object
    accounts: int = 0
    uses: int = 0
    history: list[dict] = field(default_factory=list)
    score: float = 0.0
    servers: int = 0


def _since(days: int) -> datetime:
    return timezone.now() - timedelta(days=days)


def _public_posts(days: int):
    """Public original posts of the last ``days`` days, by unsuspended accounts."""
    return Post.objects.filter(
        id__gte=id_floor(_since(days)), visibility=Visibility.PUBLIC,
        reblog_of__isnull=True, account__suspended_at__isnull=True, removed_at__isnull=True,
        held="",
        age_restricted=False,
    ).filter(discoverable_q())


def _history(uses: list[Use]) -> list[dict]:
    """Uses → Mastodon's daily history, newest first."""
    today = timezone.now().astimezone(UTC).date()
    days = [today - timedelta(days=i) for i in range(HISTORY_DAYS)]
    per_day: dict[date, list[int]] = defaultdict(list)
    for published, account_id, *_ in uses:
        per_day[published.astimezone(UTC).date()].append(account_id)
    return [
        {"day": str(int(datetime(d.year, d.month, d.day, tzinfo=UTC).timestamp())),
         "uses": str(len(per_day[d])), "accounts": str(len(set(per_day[d])))}
        for d in days
    ]


def _tag_uses(tag_ids=None, days: int = TAG_DAYS) -> dict[int, list[Use]]:
    rows = PostTag.objects.filter(post__in=_public_posts(days))
    if tag_ids is not None:
        rows = rows.filter(tag_id__in=tag_ids)
    uses: dict[int, list[Use]] = defaultdict(list)
    for tag_id, *use in rows.values_list("tag_id", "post__published", "post__account_id",
                                         "post__account__domain",
                                         "post__account__created_at"):
        uses[tag_id].append(tuple(use))
    return uses


def _rank_uses(uses: dict, now: datetime) -> list[Trend]:
    """Items by the weight of the distinct accounts that used them, then by uses."""
    voices = voices_of(((item, a, server, created) for item, rows in uses.items()
                        for _, a, server, created in rows), now)
    trends = []
    for item, rows in uses.items():
        score, accounts, servers = weigh(voices.get(item, ()))
        if score > 0:
            trends.append(Trend(item, accounts, len(rows), _history(rows), score, servers))
    trends.sort(key=lambda t: (-t.score, -t.uses, str(t.subject)))
    return trends


def _public(kind: str, trends: list[Trend], key) -> list[Trend]:
    allowed = trend_review.publishable(kind, [key(t) for t in trends])
    return [t for t in trends if trend_review.key_for(kind, key(t)) in allowed]


def tag_history(tags: list[Tag]) -> dict[int, list[dict]]:
    """The daily ``history`` of each tag (by tag id), for the Tag entity."""
    uses = _tag_uses([t.pk for t in tags], days=HISTORY_DAYS)
    return {t.pk: _history(uses.get(t.pk, [])) for t in tags}


def tag_candidates() -> list[Trend]:
    """Every tag of the window as ranked, moderators' decisions aside."""
    ranked = _rank_uses(_tag_uses(), timezone.now())
    tags = Tag.objects.in_bulk([t.subject for t in ranked])
    for trend in ranked:
        trend.subject = tags.get(trend.subject)
    return [t for t in ranked if t.subject is not None]


def trending_tags(limit: int = 10, offset: int = 0) -> list[Trend]:
    """Tags used by the most (weighted) distinct accounts in public posts of the last
    7 days, as far as moderators let them trend."""
    return _public(trend_review.Kind.TAG, tag_candidates(),
                   lambda t: t.subject.name)[offset:offset + limit]


def status_candidates(viewer: Account | None, *, reviewed: bool = False) -> list[Post]:
    """Public posts of the last 2 days by the (weighted) distinct accounts that
    boosted, liked or replied to them, at most ``author_cap`` per author; each with
    ``post.ranked``. A viewer's blocks and mutes apply; with ``reviewed``, only what
    moderators let trend."""
    now = timezone.now()
    qs = _public_posts(STATUS_DAYS)
    if viewer is not None:
        hidden = blocked_account_ids(viewer) | muted_account_ids(viewer)
        if hidden:
            qs = qs.exclude(account_id__in=hidden)
        blocked_server = domain_hidden_q(viewer)
        if blocked_server is not None:
            qs = qs.filter(~blocked_server)
    ranked = rank_trending(trend_inputs(qs, now, reviewed=reviewed))
    found = Post.objects.select_related("account").in_bulk([r.post_id for r in ranked])
    posts = []
    for item in ranked:
        post = found.get(item.post_id)
        if post is not None:
            post.ranked = item
            posts.append(post)
    return posts


def trending_statuses(viewer: Account | None, limit: int = 20, offset: int = 0) -> list[Post]:
    """The trending posts a viewer may see (see ``status_candidates``)."""
    return status_candidates(viewer, reviewed=True)[offset:offset + limit]


_ANCHOR = re.compile(r"<a\b([^>]*)>", re.IGNORECASE)
_HREF = re.compile(r"""href\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
_NOT_A_LINK = re.compile(r"""class\s*=\s*["'][^"']*\b(mention|hashtag)\b|rel\s*=\s*["']tag""",
                         re.IGNORECASE)


def post_urls(post: Post) -> list[str]:
    """The web links a post shares: from the typed text of a local post, or the
    anchors of a remote post's HTML that are not mentions or hashtags."""
    if post.text:
        return extract_urls(post.text)
    urls = []
    for attrs in _ANCHOR.findall(post.content or ""):
        href = _HREF.search(attrs)
        if href and not _NOT_A_LINK.search(attrs) and href.group(1).startswith("http"):
            urls.append(href.group(1))
    return urls


def link_candidates() -> list[Trend]:
    """Every URL shared in public posts of the last 7 days, as ranked, moderators'
    decisions aside. Pages are not fetched: a link trend carries its URL only."""
    qs = _public_posts(LINK_DAYS).filter(Q(text__icontains="http") | Q(content__icontains="href"))
    uses: dict[str, list[Use]] = defaultdict(list)
    for post in qs.only("id", "text", "content", "published", "account_id",
                        "account__domain", "account__created_at").select_related(
                            "account").iterator():
        for url in dict.fromkeys(post_urls(post)):
            uses[url].append((post.published, post.account_id, post.account.domain,
                              post.account.created_at))
    return _rank_uses(uses, timezone.now())


def trending_links(limit: int = 10, offset: int = 0) -> list[Trend]:
    """URLs shared by the most (weighted) distinct accounts, as far as moderators let
    them trend."""
    return _public(trend_review.Kind.LINK, link_candidates(), lambda t: t.subject)[
        offset:offset + limit]

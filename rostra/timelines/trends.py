"""Trends, with definitions a reader can check by hand. No ranking model, no
personalisation, no approval queue: each trend is a count over public posts.

* tags: hashtags of public posts of the last 7 days, ranked by how many distinct
  accounts (local and remote) used them, then by uses;
* statuses: public posts (not boosts) of the last 2 days, ranked by boosts + likes
  + replies, then newest first;
* links: URLs in public posts of the last 7 days, ranked by how many distinct
  accounts shared them, then by shares.

Posts of suspended accounts never count. ``history`` is Mastodon's: one entry per
day for the last 7 days, newest first, ``day`` the UTC midnight as a Unix time.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.db.models import F, Q
from django.utils import timezone

from rostra.accounts.domain_blocks import domain_hidden_q
from rostra.accounts.models import Account
from rostra.accounts.services import blocked_account_ids, muted_account_ids
from rostra.core.ids import id_floor
from rostra.core.text import extract_urls
from rostra.posts.models import Post, PostTag, Tag, Visibility
from rostra.posts.visibility import discoverable_q

TAG_DAYS = 7
STATUS_DAYS = 2
LINK_DAYS = 7
HISTORY_DAYS = 7


@dataclass
class Trend:
    """One trending thing: a ``Tag`` or a URL, with its counts and ``history``
    (``[{"day": unix, "uses": n, "accounts": n}]``, newest day first)."""

    subject: object
    accounts: int = 0
    uses: int = 0
    history: list[dict] = field(default_factory=list)


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


def _history(uses: list[tuple[datetime, int]]) -> list[dict]:
    """(published, account id) pairs → Mastodon's daily history, newest first."""
    today = timezone.now().astimezone(UTC).date()
    days = [today - timedelta(days=i) for i in range(HISTORY_DAYS)]
    per_day: dict[date, list[int]] = defaultdict(list)
    for published, account_id in uses:
        per_day[published.astimezone(UTC).date()].append(account_id)
    return [
        {"day": str(int(datetime(d.year, d.month, d.day, tzinfo=UTC).timestamp())),
         "uses": str(len(per_day[d])), "accounts": str(len(set(per_day[d])))}
        for d in days
    ]


def _tag_uses(tag_ids=None, days: int = TAG_DAYS) -> dict[int, list[tuple[datetime, int]]]:
    rows = PostTag.objects.filter(post__in=_public_posts(days))
    if tag_ids is not None:
        rows = rows.filter(tag_id__in=tag_ids)
    uses: dict[int, list[tuple[datetime, int]]] = defaultdict(list)
    for tag_id, published, account_id in rows.values_list(
            "tag_id", "post__published", "post__account_id"):
        uses[tag_id].append((published, account_id))
    return uses


def tag_history(tags: list[Tag]) -> dict[int, list[dict]]:
    """The daily ``history`` of each tag (by tag id), for the Tag entity."""
    uses = _tag_uses([t.pk for t in tags], days=HISTORY_DAYS)
    return {t.pk: _history(uses.get(t.pk, [])) for t in tags}


def trending_tags(limit: int = 10, offset: int = 0) -> list[Trend]:
    """Tags used by the most distinct accounts in public posts of the last 7 days."""
    uses = _tag_uses()
    ranked = sorted(uses.items(), key=lambda kv: (-len({a for _, a in kv[1]}), -len(kv[1]),
                                                  kv[0]))[offset:offset + limit]
    tags = Tag.objects.in_bulk([tag_id for tag_id, _ in ranked])
    return [Trend(tags[tag_id], len({a for _, a in rows}), len(rows), _history(rows))
            for tag_id, rows in ranked if tag_id in tags]


def trending_statuses(viewer: Account | None, limit: int = 20, offset: int = 0) -> list[Post]:
    """Public posts of the last 2 days with the most boosts + likes + replies (at
    least one). The same for everyone, except that a viewer's blocks and mutes
    still apply."""
    qs = _public_posts(STATUS_DAYS).annotate(
        score=F("reblogs_count") + F("favourites_count") + F("replies_count")
    ).filter(score__gt=0)
    if viewer is not None:
        hidden = blocked_account_ids(viewer) | muted_account_ids(viewer)
        if hidden:
            qs = qs.exclude(account_id__in=hidden)
        blocked_server = domain_hidden_q(viewer)
        if blocked_server is not None:
            qs = qs.filter(~blocked_server)
    return list(qs.order_by("-score", "-id")[offset:offset + limit])


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


def trending_links(limit: int = 10, offset: int = 0) -> list[Trend]:
    """URLs shared in public posts of the last 7 days by the most distinct accounts.
    Pages are not fetched: a link trend carries its URL only."""
    qs = _public_posts(LINK_DAYS).filter(Q(text__icontains="http") | Q(content__icontains="href"))
    uses: dict[str, list[tuple[datetime, int]]] = defaultdict(list)
    for post in qs.only("id", "text", "content", "published", "account_id").iterator():
        for url in dict.fromkeys(post_urls(post)):
            uses[url].append((post.published, post.account_id))
    ranked = sorted(uses.items(), key=lambda kv: (-len({a for _, a in kv[1]}), -len(kv[1]),
                                                  kv[0]))[offset:offset + limit]
    return [Trend(url, len({a for _, a in rows}), len(rows), _history(rows))
            for url, rows in ranked]

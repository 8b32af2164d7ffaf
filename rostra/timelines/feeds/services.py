"""Choosing and reading feeds: a reader's pinned feeds, and one page of a feed.

A feed is named by its key: the feed id, or ``<id>:<choice>`` for feeds that take
the reader's choice (``topic:tag:python``, ``topic:list:12``). Home
(``chronological``) is always there and needs no pin; every other feed is opt-in.
A feed that profiles can be read only once pinned with the reader's consent.

Each page served is counted for the amplification audit (``audit_log``), and a
reader in the audit's control cohort (``cohort``) gets home's newest-first order
in place of any feed that amplifies, and is told so (``FeedPage.control``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from rostra.accounts.models import Account
from rostra.core.read_scope import read_scope
from rostra.posts.models import Post
from rostra.timelines.feeds import DEFAULT_FEED, audit_log
from rostra.timelines.feeds.base import Feed, FeedError, Inputs, Ranked, get_feed, ranking_hash
from rostra.timelines.feeds.cohort import in_control, settled
from rostra.timelines.feeds.hydrate import hydrate
from rostra.timelines.models import PinnedFeed
from rostra.timelines.pagination import Page

MAX_PINS = 10
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Choice:
    """A feed as a reader chose it: the feed, its choice, its key and its title."""

    feed: Feed
    choice: str
    title: str

    @property
    def key(self) -> str:
        return key_of(self.feed.id, self.choice)


def key_of(feed_id: str, choice: str = "") -> str:
    return f"{feed_id}:{choice}" if choice else feed_id


def resolve(viewer: Account, key: str) -> Choice:
    """The feed a key names, with the choice checked; ``FeedError`` otherwise."""
    feed_id, _, choice = (key or "").partition(":")
    feed = get_feed(feed_id)
    if feed.takes_choice and not choice:
        raise FeedError(f"The feed {feed.id} needs a choice, e.g. {feed.id}:tag:news",
                        "choice")
    choice = feed.check_choice(viewer, choice)
    return Choice(feed, choice, feed.title_for(viewer, choice))


def pinned(viewer: Account) -> list[Choice]:
    """The reader's pinned feeds, oldest pin first; pins whose feed or list is gone
    are left out."""
    found = []
    for row in PinnedFeed.objects.filter(account=viewer).order_by("id"):
        try:
            found.append(resolve(viewer, key_of(row.feed, row.choice)))
        except FeedError:
            continue
    return found


def is_pinned(viewer: Account, choice: Choice) -> bool:
    return PinnedFeed.objects.filter(account=viewer, feed=choice.feed.id,
                                     choice=choice.choice).exists()


def pin(viewer: Account, key: str, *, consent_to_profiling: bool = False) -> Choice:
    """Pin a feed beside home. Idempotent. Raises ``FeedError`` for home itself, an
    unknown feed or choice, a profiling feed without consent, or too many pins."""
    choice = resolve(viewer, key)
    if choice.feed.id == DEFAULT_FEED:
        raise FeedError("Home is always there; it needs no pin")
    if choice.feed.profiling and not consent_to_profiling:
        raise FeedError(f"{choice.feed.name} uses what you do on this server; "
                        "pin it only if you agree", "consent")
    if is_pinned(viewer, choice):
        return choice
    if PinnedFeed.objects.filter(account=viewer).count() >= MAX_PINS:
        raise FeedError(f"You can pin at most {MAX_PINS} feeds; unpin one first")
    try:
        with transaction.atomic():
            PinnedFeed.objects.create(account=viewer, feed=choice.feed.id, choice=choice.choice)
    except IntegrityError:
        pass  # pinned meanwhile by another request: the same outcome
    return choice


def unpin(viewer: Account, key: str) -> None:
    """Unpin a feed (nothing happens if it was not pinned)."""
    feed_id, _, choice = (key or "").partition(":")
    PinnedFeed.objects.filter(account=viewer, feed=feed_id, choice=choice).delete()
    if feed_id == "topic" and choice.startswith("tag:"):  # tag names are stored lower-case
        PinnedFeed.objects.filter(account=viewer, feed=feed_id, choice=choice.lower()).delete()


@dataclass
class FeedPage:
    """One page of a feed: the visible posts (each with ``post.ranked``), the ids the
    page ran over (for the next/previous links) and the hash of the whole ranking.
    ``control``: the reader is in the audit's control cohort, so home's order
    (``ranked_by``) stood in for the feed."""

    choice: Choice
    posts: list[Post]
    page_ids: list[int]
    ranking_hash: str
    control: bool = False
    ranked_by: Feed | None = None


def read(viewer: Account, key: str, page: Page, *, now: datetime | None = None) -> FeedPage:
    """One page of the feed ``key`` for ``viewer``. Raises ``FeedError`` for an unknown
    feed or choice, and for a profiling feed the reader did not pin."""
    with read_scope():
        return _read(viewer, key, page, now)


def _read(viewer: Account, key: str, page: Page, now: datetime | None) -> FeedPage:
    choice = resolve(viewer, key)
    feed = choice.feed
    if feed.profiling and not is_pinned(viewer, choice):
        raise FeedError(f"{feed.name} uses what you do here: pin it first to agree to that")
    now = now or timezone.now()
    control = (feed.amplifies and feed.id != "generator" and settled(viewer.created_at, now)
               and in_control(viewer.pk))
    ranker = get_feed(DEFAULT_FEED) if control else feed
    inputs = ranker.gather(viewer, "" if control else choice.choice, now, page)
    ranked = ranker.rank(viewer, inputs)
    digest = ranking_hash(ranker.id, ranker.version, inputs, ranked)
    shown = ranked if ranker.paged_by_id else cursor_page(ranked, page)
    posts = hydrate(viewer, shown, discoverable_only=ranker.amplifies)
    _record(feed, ranker, control, inputs, ranked,
            [p.pk for p in posts if p.account_id != viewer.pk], digest)
    return FeedPage(choice, posts, [r.post_id for r in shown], digest, control, ranker)


def _record(feed: Feed, ranker: Feed, control: bool, inputs: Inputs, ranked: list[Ranked],
            shown_ids: list[int], digest: str) -> None:
    """Count the page for the amplification audit (never failing the read). A reader's
    own posts are not counted, and only rankings that amplify are sampled for replay
    (home's inputs would hold the reader's own posts)."""
    cohort = audit_log.CONTROL if control else audit_log.TREATMENT
    try:
        audit_log.record_impressions(feed, cohort, ranked, shown_ids,
                                     paged_by_id=ranker.paged_by_id)
        if ranker.amplifies and audit_log.sampled():
            audit_log.log_for_replay(ranker, cohort, inputs, digest)
    except DatabaseError:  # pragma: no cover - the audit must not take reading down
        log.exception("Could not record the feed audit of %s", feed.id)


def cursor_page(ranked: list[Ranked], page: Page) -> list[Ranked]:
    """A page of a ranking, with Mastodon's parameters read as cursors into it:
    ``max_id`` the items ranked after that post, ``min_id`` the page just before it,
    ``since_id`` the top items before it. A cursor no longer in the ranking ends it."""
    ids = [r.post_id for r in ranked]

    def place(post_id: int, missing: int) -> int:
        return ids.index(post_id) if post_id in ids else missing

    if page.max_id is not None:
        start = place(page.max_id, len(ids) - 1) + 1
        return ranked[start:start + page.limit]
    if page.min_id is not None:
        end = place(page.min_id, 0)
        return ranked[max(0, end - page.limit):end]
    if page.since_id is not None:
        return ranked[:min(place(page.since_id, 0), page.limit)]
    return ranked[:page.limit]

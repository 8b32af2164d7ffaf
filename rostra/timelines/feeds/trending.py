"""What trending feeds and trends share: a post (tag, link) trends on how many
distinct accounts took it up, not on raw counts, with three guards against gaming.

* Each account counts once per item, whatever it did (boost, like, reply, or for a
  tag or link, using it); the author's own engagement does not count.
* Per other server, only the ``instance_cap`` heaviest accounts count toward one
  item, so one server full of throwaway accounts cannot carry an item alone. This
  server's own accounts are not capped: its sign-up rules admitted them, and a
  wave of new sign-ups is what the young-account weight is for.
* An account younger than ``young_account_days`` (as this server knows it) counts
  ``young_account_weight``; an account the integrity checks place in a coordination
  cluster counts its ``coordination_weight`` (see ``feeds.coordination``).

And in the list, at most ``author_cap`` posts of one author. The voices (account,
server, age, weight) are gathered into the inputs, so ``rank`` stays a pure function
and a logged ranking can be replayed. Trending feeds are the same for everyone,
except that a reader's blocks and mutes still apply.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import F, QuerySet
from django.utils.translation import gettext_noop

from rostra.accounts.models import Account
from rostra.core.sql import InIds
from rostra.posts.models import Favourite, Post
from rostra.timelines import trend_review
from rostra.timelines.feeds.base import (
    Feed,
    Inputs,
    Parameter,
    Ranked,
    Row,
    by_score,
    epoch,
    hours_ago,
    kept,
)
from rostra.timelines.feeds.coordination import coordination_weight
from rostra.timelines.feeds.sources import ROW_FIELDS, for_reader, public_base
from rostra.timelines.pagination import Page

WINDOW_HOURS = 48
MIN_ACCOUNTS = 1
CANDIDATES = 200
YOUNG_ACCOUNT_DAYS = 7
YOUNG_ACCOUNT_WEIGHT = 0.25
INSTANCE_CAP = 5
AUTHOR_CAP = 3
SHARED_SECONDS = 60

# An account that took an item up: (account id, its server ("" here), its age in
# whole days, its coordination weight).
Voice = tuple[int, str, int, float]

PARAMETERS = (
    Parameter("window_hours", WINDOW_HOURS, gettext_noop("Only posts from the last this many "
                                                         "hours.")),
    Parameter("min_accounts", MIN_ACCOUNTS, gettext_noop("A post needs at least this many distinct "
                                            "accounts, its author aside, to boost, like or "
                                            "reply to it.")),
    Parameter("candidates", CANDIDATES, gettext_noop("At most this many posts, the most boosted, "
                                                     "liked and replied to, are weighed.")),
    Parameter("young_account_days", YOUNG_ACCOUNT_DAYS,
              gettext_noop("An account this server has known for fewer days than this is young.")),
    Parameter("young_account_weight", YOUNG_ACCOUNT_WEIGHT,
              gettext_noop("A young account counts this much (an established one counts 1).")),
    Parameter("instance_cap", INSTANCE_CAP, gettext_noop("At most this many accounts of any one "
                                                         "other server count toward one post, tag "
                                                         "or link (this server's own accounts, "
                                                         "admitted by its sign-up rules, are not "
                                                         "capped).")),
    Parameter("author_cap", AUTHOR_CAP, gettext_noop("At most this many posts of one author are "
                                                     "in the list.")),
    Parameter("shared_seconds", SHARED_SECONDS,
              gettext_noop("The candidates, with the accounts that took them up, are gathered "
                           "once for every reader and kept this many seconds; each reader's "
                           "blocks, mutes and blocked servers, and moderators' latest decisions, "
                           "apply at every reading.")),
)


@dataclass(frozen=True)
class TrendRow(Row):
    """A candidate post with the accounts that took it up."""

    voices: tuple[Voice, ...] = ()


def weigh(voices: Iterable[Voice], author_id: int | None = None) -> tuple[float, int, int]:
    """(score, distinct accounts, servers) of an item taken up by ``voices``: each
    account once (the author never), young and coordinated accounts weighted down,
    at most ``INSTANCE_CAP`` accounts per other server counted (the heaviest)."""
    seen: dict[int, tuple[str, float]] = {}
    for account_id, server, age_days, coordination in voices:
        if account_id == author_id or account_id in seen:
            continue
        young = YOUNG_ACCOUNT_WEIGHT if age_days < YOUNG_ACCOUNT_DAYS else 1
        seen[account_id] = (server, young * coordination)
    per_server: dict[str, list[float]] = defaultdict(list)
    for server, weight in seen.values():
        per_server[server].append(weight)
    score = sum(sum(sorted(weights, reverse=True)[:INSTANCE_CAP] if server else weights)
                for server, weights in per_server.items())
    return round(score, 4), len(seen), len(per_server)


def cap_per_author(ranked: list[Ranked]) -> list[Ranked]:
    """``ranked`` with at most ``AUTHOR_CAP`` items of any one author (the best kept)."""
    shown: dict[int, int] = defaultdict(int)
    kept = []
    for item in ranked:
        shown[item.author_id] += 1
        if shown[item.author_id] <= AUTHOR_CAP:
            kept.append(item)
    return kept


def voices_of(pairs: Iterable[tuple[object, int, str, datetime]],
              now: datetime) -> dict[object, tuple[Voice, ...]]:
    """(item, account id, server, account created) rows → each item's voices, with
    ages as of ``now`` and the coordination weights of today."""
    pairs = list(pairs)
    weights = coordination_weight({account_id for _, account_id, _, _ in pairs})
    found: dict[object, list[Voice]] = defaultdict(list)
    for item, account_id, server, created in pairs:
        age = max(0, (now - created).days)
        found[item].append((account_id, server or "", age, weights.get(account_id, 1.0)))
    return {item: tuple(sorted(v)) for item, v in found.items()}


def post_voices(post_ids: list[int], now: datetime) -> dict[object, tuple[Voice, ...]]:
    """Who liked, boosted or replied to each post (unsuspended accounts only)."""
    if not post_ids:
        return {}
    who = ("account_id", "account__domain", "account__created_at")
    live = {"account__suspended_at__isnull": True}
    likes = Favourite.objects.filter(InIds("post_id", post_ids), **live).values_list(
        "post_id", *who)
    boosts = Post.objects.filter(InIds("reblog_of_id", post_ids), removed_at__isnull=True,
                                 **live).values_list("reblog_of_id", *who)
    replies = Post.objects.filter(InIds("in_reply_to_id", post_ids), removed_at__isnull=True,
                                  **live).values_list("in_reply_to_id", *who)
    return voices_of([*likes, *boosts, *replies], now)


def trend_inputs(qs: QuerySet, now: datetime, *, reviewed: bool = True) -> Inputs:
    """The candidates of ``qs`` (public posts, already scoped) with their voices; with
    ``reviewed``, only posts moderators let trend (``trend_review``)."""
    qs = qs.filter(age_restricted=False).annotate(
        trend=F("reblogs_count") + F("favourites_count") + F("replies_count"))
    qs = qs.filter(trend__gte=MIN_ACCOUNTS)
    if reviewed:
        qs = trend_review.publishable_posts(qs)
    rows = list(qs.order_by("-trend", "-id")[:CANDIDATES].values_list(*ROW_FIELDS))
    voices = post_voices([r[0] for r in rows], now)
    return Inputs(now=epoch(now), rows=tuple(
        TrendRow(post_id=i, author_id=a, published=epoch(p), replies=r, boosts=b, likes=f,
                 voices=voices.get(i, ()))
        for i, a, p, r, b, f in rows))


def rank_trending(inputs: Inputs) -> list[Ranked]:
    """Posts by the weight of the distinct accounts that took them up, the author's
    own engagement aside, at most ``AUTHOR_CAP`` per author."""
    ranked = []
    for r in inputs.rows:
        score, accounts, servers = weigh(getattr(r, "voices", ()), r.author_id)
        if accounts >= MIN_ACCOUNTS:
            ranked.append(Ranked(r.post_id, r.author_id, score, {
                "score": score, "accounts": accounts, "servers": servers,
                "boosts": r.boosts, "likes": r.likes, "replies": r.replies,
                "hours_ago": hours_ago(inputs, r)}))
    return cap_per_author(by_score(ranked))


# Both trending feeds changed together; their published history is one.
CHANGELOG = ((1, "2026-11-22", gettext_noop("First version.")),
             (2, "2026-11-22", gettext_noop("Counts distinct accounts instead of raw boosts, "
                                            "likes and replies, the author's own aside; caps each "
                                            "server's accounts per post and each author's posts "
                                            "in the list; young accounts and coordinated ones "
                                            "count less.")))


class TrendingFeed(Feed):
    """Subclasses say which public posts count (``scope``)."""

    parameters = PARAMETERS
    row_type = TrendRow
    factors = {"score": gettext_noop("Score (accounts that boosted, liked or replied, weighted)"),
               "accounts": gettext_noop("Distinct accounts that boosted, liked or replied"),
               "servers": gettext_noop("Servers those accounts are on"),
               "boosts": gettext_noop("Boosts"), "likes": gettext_noop("Likes"),
               "replies": gettext_noop("Replies"),
               "hours_ago": gettext_noop("Posted (hours ago)")}

    def scope(self, qs: QuerySet) -> QuerySet:
        raise NotImplementedError

    def gather(self, viewer: Account, choice: str, now: datetime, page: Page) -> Inputs:
        """The shared candidates (``shared_rows``), less what this reader may not be
        shown now: the same rule as gathering them for this reader alone, applied to
        the candidates' ids (one lookup by primary key)."""
        since = now - timedelta(hours=WINDOW_HOURS)
        rows = self.shared_rows(now)
        if rows:
            shown = trend_review.publishable_posts(
                self.scope(for_reader(public_base(since), viewer)))
            keep = set(shown.filter(InIds("id", [r.post_id for r in rows]))
                       .values_list("id", flat=True))
            rows = tuple(r for r in rows if r.post_id in keep)
        return Inputs(now=epoch(now), rows=rows)

    def shared_rows(self, now: datetime) -> tuple[TrendRow, ...]:
        """The candidates as anyone may see them, with their voices: the same for
        every reader, so gathered once per ``SHARED_SECONDS`` (the scan of two days
        of public posts is most of a trending page's cost)."""
        since = now - timedelta(hours=WINDOW_HOURS)
        return kept(f"feeds:{self.id}:v{self.version}:candidates", SHARED_SECONDS,
                    lambda: trend_inputs(self.scope(public_base(since)), now).rows)

    def rank(self, viewer: Account, inputs: Inputs) -> list[Ranked]:
        return rank_trending(inputs)

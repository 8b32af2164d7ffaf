"""Quiet voices: posts of the people you follow who post rarely, newest first."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext_noop

from rostra.accounts.models import Account, Follow
from rostra.core.ids import id_floor
from rostra.core.sql import InIds
from rostra.posts.models import Post
from rostra.timelines.feeds.base import (
    Feed,
    Inputs,
    Parameter,
    Ranked,
    Row,
    epoch,
    hours_ago,
    kept,
    register,
)
from rostra.timelines.feeds.sources import ROW_FIELDS, followed_posts
from rostra.timelines.pagination import Page

WINDOW_DAYS = 30
QUIET_MAX = 10
CANDIDATES = 200
COUNTS_SECONDS = 300


@register
class QuietVoices(Feed):
    id = "quiet_voices"
    name = gettext_noop("Quiet voices")
    version = 2
    changelog = ((1, "2026-11-22", gettext_noop("First version.")),
                 (2, "2026-11-23", gettext_noop("Who counts as quiet is worked out at most every 5 "
                                   "minutes per reader, not at every read (the posts "
                                   "themselves are always read live).")))
    description = (gettext_noop("Posts from the people you follow who post rarely, so they are not "
                   "drowned out by the busy ones: everyone whose posts, replies and boosts "
                   "of the last 30 days number 10 or fewer. Their posts of those 30 days "
                   "are shown newest first. Boosts and replies to others are left out."))
    parameters = (
        Parameter("window_days", WINDOW_DAYS, gettext_noop("Posts are counted, and shown, over "
                                                           "this many days.")),
        Parameter("quiet_max", QUIET_MAX, gettext_noop("An account is quiet when it posted at "
                                                       "most this many times in the window.")),
        Parameter("candidates", CANDIDATES, gettext_noop("At most this many posts, the newest, "
                                                         "are shown.")),
        Parameter("counts_seconds", COUNTS_SECONDS, gettext_noop("Each reader's quiet accounts "
                                                                 "and their counts are kept this "
                                                                 "many seconds.")),
    )
    factors = {"author_posts": gettext_noop("The author's posts in the last 30 days"),
               "hours_ago": gettext_noop("Posted (hours ago)")}

    def gather(self, viewer: Account, choice: str, now: datetime, page: Page) -> Inputs:
        since = now - timedelta(days=WINDOW_DAYS)
        counts = _quiet_counts(viewer, id_floor(since))
        # Their posts of the window, newest first, as home shows them: at most
        # quiet_max each, so the database sorts a few thousand rows at most.
        found = list(followed_posts(viewer, since, only=set(counts)).order_by("-id")
                     .values_list(*ROW_FIELDS)[:CANDIDATES])
        return Inputs(now=epoch(now), rows=tuple(
            Row(post_id=i, author_id=a, published=epoch(p), replies=r, boosts=b, likes=f,
                author_posts=counts.get(a, 0)) for i, a, p, r, b, f in found))

    def rank(self, viewer: Account, inputs: Inputs) -> list[Ranked]:
        quiet = [r for r in inputs.rows if r.author_posts <= QUIET_MAX]
        return [Ranked(r.post_id, r.author_id, float(r.published),
                       {"author_posts": r.author_posts, "hours_ago": hours_ago(inputs, r)})
                for r in sorted(quiet, key=lambda r: (-r.published, -r.post_id))]


def _quiet_counts(viewer: Account, floor: int) -> dict[int, int]:
    """The followed accounts with at most ``QUIET_MAX`` posts since ``floor``, with
    their counts; kept ``COUNTS_SECONDS`` per reader (a count over 30 days moves
    slowly, and finding it is most of this feed's cost)."""

    def count() -> dict[int, int]:
        # Counting every post of every followed account is most of the cost, and
        # only the quiet ones' counts are used: an account whose (quiet_max + 1)th
        # post of the window exists is busy, found by one index probe each; only the
        # others' posts (at most quiet_max each) are counted.
        beyond = (Post.objects.filter(account_id=OuterRef("target_account_id"), id__gte=floor)
                  .order_by("account_id", "id").values("id")[QUIET_MAX:QUIET_MAX + 1])
        maybe_quiet = [a for a, busy in Follow.objects.filter(account=viewer)
                       .annotate(busy=Subquery(beyond)).values_list("target_account_id", "busy")
                       if busy is None]
        window = Post.objects.filter(InIds("account_id", maybe_quiet), id__gte=floor)
        counted = Counter(window.values_list("account_id", flat=True))
        return {a: n for a, n in counted.items() if n <= QUIET_MAX}

    return kept(f"feeds:quiet_voices:v{QuietVoices.version}:counts:{viewer.pk}",
                COUNTS_SECONDS, count)

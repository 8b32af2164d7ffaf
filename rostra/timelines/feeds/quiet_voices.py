"""Quiet voices: posts of the people you follow who post rarely, newest first."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from django.db.models import Count

from rostra.accounts.models import Account, Follow
from rostra.core.ids import id_floor
from rostra.core.sql import InIds
from rostra.posts.models import Post
from rostra.timelines.feeds.base import Feed, Inputs, Parameter, Ranked, epoch, hours_ago, register
from rostra.timelines.feeds.sources import followed_posts, rows_of
from rostra.timelines.pagination import Page

WINDOW_DAYS = 30
QUIET_MAX = 10
CANDIDATES = 200


@register
class QuietVoices(Feed):
    id = "quiet_voices"
    name = "Quiet voices"
    version = 1
    changelog = ((1, "2025-06-01", "First version."),)
    description = ("Posts from the people you follow who post rarely, so they are not "
                   "drowned out by the busy ones: everyone whose posts, replies and boosts "
                   "of the last 30 days number 10 or fewer. Their posts of those 30 days "
                   "are shown newest first. Boosts and replies to others are left out.")
    parameters = (
        Parameter("window_days", WINDOW_DAYS, "Posts are counted, and shown, over this "
                                              "many days."),
        Parameter("quiet_max", QUIET_MAX, "An account is quiet when it posted at most this "
                                          "many times in the window."),
        Parameter("candidates", CANDIDATES, "At most this many posts, the newest, are shown."),
    )
    factors = {"author_posts": "The author's posts in the last 30 days",
               "hours_ago": "Posted (hours ago)"}

    def gather(self, viewer: Account, choice: str, now: datetime, page: Page) -> Inputs:
        since = now - timedelta(days=WINDOW_DAYS)
        followed = Follow.objects.filter(account=viewer).values_list("target_account_id",
                                                                     flat=True)
        counts = dict(Post.objects.filter(InIds("account_id", list(followed)),
                                          id__gte=id_floor(since))
                      .values("account_id").annotate(n=Count("id"))
                      .values_list("account_id", "n"))
        quiet = [a for a, n in counts.items() if n <= QUIET_MAX]
        rows = rows_of(followed_posts(viewer, since).filter(InIds("account_id", quiet))
                       .order_by("-id")[:CANDIDATES])
        return Inputs(now=epoch(now), rows=tuple(
            replace(r, author_posts=counts.get(r.author_id, 0)) for r in rows))

    def rank(self, viewer: Account, inputs: Inputs) -> list[Ranked]:
        quiet = [r for r in inputs.rows if r.author_posts <= QUIET_MAX]
        return [Ranked(r.post_id, r.author_id, float(r.published),
                       {"author_posts": r.author_posts, "hours_ago": hours_ago(inputs, r)})
                for r in sorted(quiet, key=lambda r: (-r.published, -r.post_id))]

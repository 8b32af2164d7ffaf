"""Catch up: the most-discussed posts of the people you follow, over the last day."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import F
from django.utils.translation import gettext_noop

from rostra.accounts.models import Account
from rostra.timelines.feeds.base import (
    Feed,
    Inputs,
    Parameter,
    Ranked,
    by_score,
    epoch,
    hours_ago,
    register,
)
from rostra.timelines.feeds.sources import followed_posts, rows_of
from rostra.timelines.pagination import Page

WINDOW_HOURS = 24
REPLY_WEIGHT = 2
CANDIDATES = 200


@register
class CatchUp(Feed):
    id = "catch_up"
    name = gettext_noop("Catch up")
    version = 1
    changelog = ((1, "2026-11-22", gettext_noop("First version.")),)
    description = (gettext_noop("What you missed: posts from the last day by people you follow, "
                                "the most discussed first. A post's score is twice its replies "
                                "plus its boosts and likes, counted from everyone who can see it; "
                                "ties go to the newer post. Boosts and replies to others are left "
                                "out. It knows nothing about you beyond whom you follow."))
    parameters = (
        Parameter("window_hours", WINDOW_HOURS, gettext_noop("Only posts from the last this many "
                                                             "hours.")),
        Parameter("reply_weight", REPLY_WEIGHT,
                  gettext_noop("Each reply counts this many times a boost or a like.")),
        Parameter("candidates", CANDIDATES,
                  gettext_noop("At most this many posts, the highest scored, are ranked.")),
    )
    factors = {"replies": gettext_noop("Replies"), "boosts": gettext_noop("Boosts"),
               "likes": gettext_noop("Likes"),
               "score": gettext_noop("Score (2 × replies + boosts + likes)"),
               "hours_ago": gettext_noop("Posted (hours ago)")}

    def gather(self, viewer: Account, choice: str, now: datetime, page: Page) -> Inputs:
        qs = followed_posts(viewer, now - timedelta(hours=WINDOW_HOURS)).annotate(
            discussion=F("replies_count") * REPLY_WEIGHT + F("reblogs_count")
            + F("favourites_count"))
        return Inputs(now=epoch(now),
                      rows=rows_of(qs.order_by("-discussion", "-id")[:CANDIDATES]))

    def rank(self, viewer: Account, inputs: Inputs) -> list[Ranked]:
        return by_score([
            Ranked(r.post_id, r.author_id, float(REPLY_WEIGHT * r.replies + r.boosts + r.likes),
                   {"replies": r.replies, "boosts": r.boosts, "likes": r.likes,
                    "score": REPLY_WEIGHT * r.replies + r.boosts + r.likes,
                    "hours_ago": hours_ago(inputs, r)})
            for r in inputs.rows
        ])

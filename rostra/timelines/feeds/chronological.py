"""Home: the posts of the people you follow, newest first. The default, always."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext_noop

from rostra.accounts.models import Account
from rostra.timelines import services as timelines
from rostra.timelines.feeds.base import Feed, Inputs, Ranked, Row, epoch, hours_ago, register
from rostra.timelines.feeds.sources import ROW_FIELDS
from rostra.timelines.pagination import Page


@register
class Chronological(Feed):
    id = "chronological"
    name = gettext_noop("Home (newest first)")
    version = 2
    changelog = ((1, "2026-11-22", gettext_noop("First version: the home timeline as a feed.")),
                 (2, "2026-11-23", gettext_noop("Public posts with a hashtag you follow "
                                                "appear too.")))
    description = (gettext_noop("Every post and boost of the accounts you follow, your own, and "
                                "the public posts carrying a hashtag you follow, newest first. "
                                "Nothing is reordered or left out except what you muted or "
                                "blocked. This is home unless you pick another feed."))
    factors = {"order": gettext_noop("Order"), "hours_ago": gettext_noop("Posted (hours ago)")}
    amplifies = False
    paged_by_id = True

    def gather(self, viewer: Account, choice: str, now: datetime, page: Page) -> Inputs:
        found = timelines.home_ids(viewer, page, ROW_FIELDS)
        return Inputs(now=epoch(now), choice="", rows=tuple(
            Row(post_id=i, author_id=a, published=epoch(p), replies=r, boosts=b, likes=f)
            for i, a, p, r, b, f in found))

    def rank(self, viewer: Account, inputs: Inputs) -> list[Ranked]:
        return [Ranked(r.post_id, r.author_id, float(r.post_id),
                       {"order": "newest first", "hours_ago": hours_ago(inputs, r)})
                for r in sorted(inputs.rows, key=lambda r: -r.post_id)]

"""Topic: a hashtag or one of your lists, as a feed you can pin beside home.

The reader chooses the topic (``tag:<name>`` or ``list:<id>``, one of their own
lists); the posts are those of the hashtag timeline or the list timeline, newest
first, under the same rules as those timelines.
"""

from __future__ import annotations

import re
from datetime import datetime

from django.utils.translation import gettext_noop

from rostra.accounts.models import Account
from rostra.posts.models import Post
from rostra.timelines import services as timelines
from rostra.timelines.feeds.base import (
    Feed,
    FeedError,
    Inputs,
    Ranked,
    Row,
    epoch,
    hours_ago,
    register,
)
from rostra.timelines.lists import get_list
from rostra.timelines.models import List
from rostra.timelines.pagination import Page, paginate

TAG_NAME = re.compile(r"^\w{1,100}$")


def _row(post: Post) -> Row:
    return Row(post.pk, post.account_id, epoch(post.published), post.replies_count,
               post.reblogs_count, post.favourites_count)


@register
class Topic(Feed):
    id = "topic"
    name = gettext_noop("Topic")
    version = 1
    changelog = ((1, "2026-11-22", gettext_noop("First version: a hashtag or one of your lists.")),)
    description = (gettext_noop("A subject you choose: the public posts carrying a hashtag, or "
                                "the posts of the people in one of your lists, newest first. "
                                "Nothing is reordered; the topic is yours to pick and nobody "
                                "else's."))
    factors = {"hashtag": gettext_noop("Carries the "
                                       "hashtag"), "list": gettext_noop("Author is in "
                                                                                    "your list"),
               "hours_ago": gettext_noop("Posted (hours ago)")}
    amplifies = False
    paged_by_id = True
    takes_choice = True

    def check_choice(self, viewer: Account, choice: str) -> str:
        kind, _, value = (choice or "").partition(":")
        if kind == "tag":
            name = value.strip().lstrip("#").lower()
            if not TAG_NAME.match(name):
                raise FeedError("A topic hashtag is letters, digits and underscores "
                                "(at most 100)", "choice")
            return f"tag:{name}"
        if kind == "list":
            found = self._list(viewer, value)
            return f"list:{found.pk}"
        raise FeedError("Choose a hashtag (tag:<name>) or one of your lists (list:<id>)",
                        "choice")

    def _list(self, viewer: Account, value: str) -> List:
        numeric = value.isascii() and value.isdigit() and len(value) < 19  # not "²"
        found = get_list(viewer, int(value)) if numeric else None
        if found is None:
            raise FeedError("That list does not exist (or is not yours)", "choice")
        return found

    def title_for(self, viewer: Account, choice: str) -> str:
        kind, _, value = choice.partition(":")
        return f"#{value}" if kind == "tag" else self._list(viewer, value).title

    def gather(self, viewer: Account, choice: str, now: datetime, page: Page) -> Inputs:
        kind, _, value = self.check_choice(viewer, choice).partition(":")
        if kind == "tag":
            # The ids and signals only: the page is hydrated once, by ``read``.
            qs = timelines.tag_query(viewer, value)
            posts = [] if qs is None else paginate(
                qs.only("id", "account_id", "published", "replies_count", "reblogs_count",
                        "favourites_count"), page, field="tagged_post")
            context = {"hashtag": f"#{value}"}
        else:
            found = self._list(viewer, value)
            posts = timelines.list_timeline(viewer, found, page)
            context = {"list": found.title}
        return Inputs(now=epoch(now), choice=choice, context=context,
                      rows=tuple(_row(p) for p in posts))

    def rank(self, viewer: Account, inputs: Inputs) -> list[Ranked]:
        return [Ranked(r.post_id, r.author_id, float(r.post_id),
                       {**inputs.context, "hours_ago": hours_ago(inputs, r)})
                for r in sorted(inputs.rows, key=lambda r: -r.post_id)]

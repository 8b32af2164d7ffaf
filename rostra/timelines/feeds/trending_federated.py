"""Trending everywhere: the most shared public posts this server knows of."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_noop

from rostra.timelines.feeds.base import register
from rostra.timelines.feeds.trending import CHANGELOG, TrendingFeed


@register
class TrendingFederated(TrendingFeed):
    id = "trending_federated"
    name = gettext_noop("Trending everywhere")
    version = 2
    changelog = CHANGELOG
    description = (gettext_noop("Public posts of the last two days from this server and every "
                                "server it knows, ranked by how many distinct accounts boosted, "
                                "liked or replied to them as this server saw it (each account "
                                "once, the author's own aside; young accounts count a quarter; at "
                                "most five accounts of any other server count), with at most "
                                "three posts per author; ties go to the newer post. The same for "
                                "everyone, except that your blocks and mutes still apply; posts "
                                "moderators demoted or rejected and servers the admins silenced "
                                "never appear. It knows nothing about you."))

    def scope(self, qs: QuerySet) -> QuerySet:
        return qs

"""Trending here: the most shared public posts written on this server."""

from __future__ import annotations

from django.db.models import QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_noop

from rostra.timelines.feeds.base import register
from rostra.timelines.feeds.trending import CHANGELOG, TrendingFeed


@register
class TrendingLocal(TrendingFeed):
    id = "trending_local"
    name = gettext_noop("Trending here")
    version = 2
    changelog = CHANGELOG
    description = (gettext_noop("Public posts written on this server in the last two days, ranked "
                                "by how many distinct accounts boosted, liked or replied to them "
                                "(each account once, the author's own aside; young accounts count "
                                "a quarter; at most five accounts of any other server count), "
                                "with at most three posts per author; ties go to the newer post. "
                                "The same for everyone, except that your blocks and mutes still "
                                "apply, and posts moderators demoted or rejected never appear. It "
                                "knows nothing about you."))

    def scope(self, qs: QuerySet) -> QuerySet:
        # Local authors (domain ""), as an expression so the database reads the recent
        # public posts first rather than walking every local account's posts.
        return qs.alias(server=Coalesce("account__domain", Value(""))).filter(server="")

"""What a reader arranges for themselves: lists of accounts, content filters and
followed hashtags.

Each belongs to one account and changes only what that account sees; nothing here
is visible to anyone else or federated. Rules live in lists.py, filters.py and
followed_tags.py.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from rostra.accounts.models import Account
from rostra.posts.models import Post, Tag


class List(models.Model):
    """A named set of followed accounts with its own timeline."""

    class RepliesPolicy(models.TextChoices):
        FOLLOWED = "followed", "replies to any followed account"
        LIST = "list", "replies to members of the list"
        NONE = "none", "no replies"

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="lists")
    title = models.CharField(max_length=200)
    replies_policy = models.CharField(
        max_length=8, choices=RepliesPolicy.choices, default=RepliesPolicy.LIST
    )
    exclusive = models.BooleanField(default=False)  # members' posts leave home
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["account", "exclusive"], name="list_account_exclusive")]


class ListAccount(models.Model):
    list = models.ForeignKey(List, on_delete=models.CASCADE, related_name="members")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["list", "account"], name="list_account_unique")
        ]


class Filter(models.Model):
    """A reader's content filter: keywords and/or single posts, in some contexts."""

    CONTEXTS = ("home", "notifications", "public", "thread", "account")

    class Action(models.TextChoices):
        WARN = "warn", "show behind a warning"
        HIDE = "hide", "leave out"

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="filters")
    title = models.CharField(max_length=200)
    context = models.JSONField(default=list)  # a subset of CONTEXTS
    expires_at = models.DateTimeField(null=True, blank=True)
    filter_action = models.CharField(max_length=4, choices=Action.choices, default=Action.WARN)
    created_at = models.DateTimeField(default=timezone.now)


class FilterKeyword(models.Model):
    filter = models.ForeignKey(Filter, on_delete=models.CASCADE, related_name="keywords")
    keyword = models.CharField(max_length=200)
    whole_word = models.BooleanField(default=True)


class FilterStatus(models.Model):
    filter = models.ForeignKey(Filter, on_delete=models.CASCADE, related_name="statuses")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["filter", "post"], name="filter_status_unique")
        ]


class TagFollow(models.Model):
    """A hashtag a reader follows: its public posts join their home timeline
    (``timelines.followed_tags``)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="tag_follows")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="follows")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "tag"], name="tag_follow_unique")
        ]


class PinnedFeed(models.Model):
    """A feed a reader chose to keep beside home (opt-in; home stays chronological).

    ``feed`` is a registered feed id (``timelines.feeds``); ``choice`` the reader's
    own parameter for feeds that take one (``tag:<name>``, ``list:<id>``), else "".
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="pinned_feeds")
    feed = models.CharField(max_length=64)
    choice = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "feed", "choice"],
                                    name="pinned_feed_unique")
        ]


class TrendReview(models.Model):
    """A moderator's decision on a trend candidate (used when ``ROSTRA_TRENDS_REVIEW``
    is on): ``key`` is the tag name, the URL, or the post id."""

    class Kind(models.TextChoices):
        TAG = "tag", "tag"
        STATUS = "status", "post"
        LINK = "link", "link"

    class Status(models.TextChoices):
        APPROVED = "approved", "approved"
        REJECTED = "rejected", "rejected"

    kind = models.CharField(max_length=6, choices=Kind.choices)
    key = models.CharField(max_length=2048)
    status = models.CharField(max_length=8, choices=Status.choices)
    decided_by = models.ForeignKey(Account, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="trend_review_unique")]


class FeedImpression(models.Model):
    """How many times, on one day, a feed (at one version, for one cohort) showed an
    author's posts at a rank bucket for a reason kind. Aggregated: no reader is stored."""

    class Cohort(models.TextChoices):
        TREATMENT = "treatment", "treatment"
        CONTROL = "control", "control"

    day = models.DateField()
    feed = models.CharField(max_length=64)
    feed_version = models.PositiveIntegerField()
    cohort = models.CharField(max_length=9, choices=Cohort.choices)
    rank_bucket = models.CharField(max_length=8)
    reason = models.CharField(max_length=64)
    author_id = models.BigIntegerField()  # not a foreign key: the counts outlive nobody's data
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["day", "feed", "feed_version", "cohort", "rank_bucket", "reason",
                    "author_id"], name="feed_impression_unique")]
        indexes = [models.Index(fields=["day", "feed"], name="feed_impression_day_feed")]


class FeedReplayLog(models.Model):
    """A sampled feed request, enough to re-run its ranking: the feed, its version, the
    inputs it ranked (no reader id) and the hash of the ranking it produced."""

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    feed = models.CharField(max_length=64)
    feed_version = models.PositiveIntegerField()
    cohort = models.CharField(max_length=9, default=FeedImpression.Cohort.TREATMENT)
    inputs = models.JSONField()
    inputs_hash = models.CharField(max_length=64)
    ranking_hash = models.CharField(max_length=64)

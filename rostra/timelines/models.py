"""What a reader arranges for themselves: lists of accounts and content filters.

Both belong to one account and change only what that account sees; nothing here
is visible to anyone else or federated. Rules live in lists.py and filters.py.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from rostra.accounts.models import Account
from rostra.posts.models import Post


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

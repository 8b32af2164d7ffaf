from django.db import models
from django.utils import timezone

from rostra.accounts.models import Account
from rostra.posts.models import Post


class Notification(models.Model):
    class Type(models.TextChoices):
        MENTION = "mention", "mentioned you"
        REPLY = "reply", "replied to you"
        REBLOG = "reblog", "boosted your post"
        FAVOURITE = "favourite", "liked your post"
        FOLLOW = "follow", "followed you"
        FOLLOW_REQUEST = "follow_request", "asked to follow you"
        POLL = "poll", "a poll has ended"
        STATUS = "status", "posted"
        UPDATE = "update", "edited a post you boosted"

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="notifications")
    from_account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    type = models.CharField(max_length=20, choices=Type.choices)
    post = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["account", "-id"], name="notification_account_id")]


class NotificationMarker(models.Model):
    """The newest notification the account has seen (for the unread count, and
    the ``notifications`` marker of the API)."""

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="+")
    last_read_id = models.BigIntegerField(default=0)
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)


class HomeMarker(models.Model):
    """The newest post of the home timeline the account has read (``home`` marker),
    so apps on several devices resume at the same place."""

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="+")
    last_read_id = models.BigIntegerField(default=0)
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

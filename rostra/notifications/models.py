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
        MODERATION_WARNING = "moderation_warning", "moderators took a decision"
        # someone you follow moved to a new account (you follow it now); Pleroma's type
        MOVE = "move", "moved to a new account"

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="notifications")
    from_account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    type = models.CharField(max_length=20, choices=Type.choices)
    post = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # moderation_warning: the decision (moderation's statement of reasons) it is about
    warning_id = models.BigIntegerField(null=True, blank=True)
    # favourite/reblog/follow groups (see groups.py); "" = never grouped
    group_key = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["account", "-id"], name="notification_account_id"),
                   models.Index(fields=["account", "group_key"],
                                name="notification_group_key")]


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


class PushSubscription(models.Model):
    """A Web Push subscription of one API access token (Mastodon's
    WebPushSubscription): where to push, the subscriber's keys, which notification
    types (``alerts``) and from whom (``policy``)."""

    class Policy(models.TextChoices):
        ALL = "all", "everyone"
        FOLLOWED = "followed", "people you follow"
        FOLLOWER = "follower", "your followers"
        NONE = "none", "no one"

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    # The access token's SHA-256 digest: one subscription per token, ended with it.
    token_key = models.CharField(max_length=64, unique=True)
    # The access token itself, AES-GCM-sealed with a key derived from SECRET_KEY: Mastodon's
    # push payload carries it, and the API keeps no plain tokens.
    sealed_token = models.TextField()
    endpoint = models.URLField(max_length=2048)
    p256dh = models.CharField(max_length=128)
    auth = models.CharField(max_length=64)
    alerts = models.JSONField(default=dict, blank=True)
    policy = models.CharField(max_length=8, choices=Policy.choices, default=Policy.ALL)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)


class VapidKey(models.Model):
    """The server's VAPID key pair (RFC 8292), made once; its public half is the
    ``server_key`` apps subscribe with."""

    private_key = models.TextField()  # PEM (PKCS#8)
    public_key = models.CharField(max_length=128)  # base64url uncompressed point
    created_at = models.DateTimeField(default=timezone.now)

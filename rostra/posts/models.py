"""Posts and what hangs off them: media, mentions, tags, likes, boosts, bookmarks,
pins, polls and edit history. Rules live in services.py, visibility in visibility.py."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from rostra.accounts.models import Account
from rostra.core.models import SnowflakeModel


class Visibility(models.TextChoices):
    PUBLIC = "public", "Public"
    UNLISTED = "unlisted", "Unlisted"
    PRIVATE = "private", "Followers only"
    DIRECT = "direct", "Mentioned people only"


class Source(models.TextChoices):
    WEB = "web"
    API = "api"
    IMPORT = "import"
    FEDERATION = "federation"
    CLI = "cli"


class Post(SnowflakeModel):
    id_time_field = "published"

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="posts")
    text = models.TextField(blank=True, default="")  # source as typed
    content = models.TextField(blank=True, default="")  # rendered, safe HTML
    spoiler_text = models.CharField(max_length=500, blank=True, default="")
    sensitive = models.BooleanField(default=False)
    visibility = models.CharField(max_length=10, choices=Visibility.choices)
    language = models.CharField(max_length=16, blank=True, default="")
    in_reply_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replies"
    )
    in_reply_to_account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    thread_root = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reblog_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="reblogs"
    )
    published = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=12, choices=Source.choices, default=Source.WEB)
    # Imported or federated posts keep where they came from.
    uri = models.URLField(max_length=2048, blank=True, default="")
    origin_url = models.URLField(max_length=2048, blank=True, default="")
    # Moved to another server (a LOLA account move, see ``posts.moves``): the copy's
    # ActivityPub id and web page. The old address then points there.
    moved_to_uri = models.URLField(max_length=2048, blank=True, default="")
    moved_to_url = models.URLField(max_length=2048, blank=True, default="")
    # Quiet posts (imports) stay out of followers' home timelines and notify no one.
    quiet = models.BooleanField(default=False)
    # the client app a local post was written with (the API door sets them)
    application_name = models.CharField(max_length=200, blank=True, default="")
    application_website = models.CharField(max_length=2048, blank=True, default="")
    # Moderators' measures (set only through posts.restrictions; reversible):
    # removed or access disabled: nobody sees it; demoted: out of public timelines,
    # trends and search; age-restricted: not shown to visitors who are not signed in;
    # interactions restricted: no replies, boosts or likes by others; a label shown
    # with it.
    removed_at = models.DateTimeField(null=True, blank=True)
    # Held by the media gate: "pending" while a remote post's media are fetched and
    # checked, "quarantine" while a matched image awaits a moderator. Nobody sees a
    # held post; "" once it is clear.
    held = models.CharField(max_length=10, blank=True, default="")
    demoted = models.BooleanField(default=False)
    age_restricted = models.BooleanField(default=False)
    interactions_restricted = models.BooleanField(default=False)
    label = models.CharField(max_length=200, blank=True, default="")
    replies_count = models.PositiveIntegerField(default=0)
    reblogs_count = models.PositiveIntegerField(default=0)
    favourites_count = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["account", "-id"], name="post_account_id"),
            models.Index(fields=["visibility", "-id"], name="post_visibility_id"),
            models.Index(fields=["in_reply_to"], name="post_in_reply_to"),
            models.Index(fields=["thread_root"], name="post_thread_root"),
            # ActivityPub id look-ups: federation (Update, Delete, Like of a known
            # post) and feed generators naming posts by id.
            models.Index(fields=["uri"], name="post_uri"),
        ]

    def __str__(self) -> str:
        return f"{self.account.acct}: {self.text[:40]}"

    @property
    def is_reblog(self) -> bool:
        return self.reblog_of_id is not None


class PostEdit(models.Model):
    """A previous version of a post (the current one is the post itself)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="edits")
    text = models.TextField(blank=True, default="")
    content = models.TextField(blank=True, default="")
    spoiler_text = models.CharField(max_length=500, blank=True, default="")
    sensitive = models.BooleanField(default=False)
    media_descriptions = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at"]


class Media(SnowflakeModel):
    """An image, a video or a gifv (a silent looping video: an animated GIF).

    ``thumbnail`` is the preview: the image scaled down, or a video's poster
    frame (a JPEG, its ``blurhash`` beside it). Video fields stay empty for images.
    """

    class Kind(models.TextChoices):
        IMAGE = "image"
        VIDEO = "video"
        GIFV = "gifv"

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="media")
    post = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.CASCADE, related_name="media"
    )
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.IMAGE)
    file = models.FileField(upload_to="media/%Y/%m/", blank=True)
    thumbnail = models.FileField(upload_to="media/%Y/%m/", blank=True)
    remote_url = models.URLField(max_length=2048, blank=True, default="")
    mime_type = models.CharField(max_length=64, blank=True, default="")
    description = models.TextField(blank=True, default="")  # alt text
    blurhash = models.CharField(max_length=64, blank=True, default="")
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    focus_x = models.FloatField(default=0.0)
    focus_y = models.FloatField(default=0.0)
    duration = models.FloatField(null=True, blank=True)  # seconds
    frame_rate = models.CharField(max_length=32, blank=True, default="")  # "30000/1001"
    bitrate = models.PositiveIntegerField(null=True, blank=True)  # bits per second
    # Container, codecs and sound of a video, as probed: {"container": "mp4", ...}.
    meta = models.JSONField(default=dict, blank=True)
    sha256 = models.CharField(max_length=64, blank=True, default="", db_index=True)
    md5 = models.CharField(max_length=32, blank=True, default="", db_index=True)
    # PDQ of an image (or of a video's poster frame) and its quality; a video's sampled
    # frames as [[pdq, quality], ...]. Set by the safety gate.
    pdq = models.CharField(max_length=64, blank=True, default="")
    pdq_quality = models.PositiveSmallIntegerField(null=True, blank=True)
    frame_pdqs = models.JSONField(default=list, blank=True)
    # Matched a hash list: the files moved out of public storage, served to moderators
    # only, until a moderator confirms (removed) or clears (restored) it.
    quarantined_at = models.DateTimeField(null=True, blank=True)
    # Declared AI-generated (C2PA, IPTC/XMP digitalSourceType, the author, or the
    # origin server), and by what ("c2pa", "iptc", "author", "remote").
    ai_generated = models.BooleanField(default=False)
    ai_source = models.CharField(max_length=8, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    # Attached to a scheduled post: reserved until it is published.
    scheduled_post = models.ForeignKey(
        "ScheduledPost", null=True, blank=True, on_delete=models.SET_NULL, related_name="media"
    )

    class Meta:
        ordering = ["position", "id"]


class Mention(models.Model):
    """A mention in a post. ``account`` is set when the account is known; a remote
    ``@user@host`` not yet resolved keeps its ``acct`` for federation to resolve."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="mentions")
    account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.CASCADE, related_name="mentioned_in"
    )
    acct = models.CharField(max_length=320)

    class Meta:
        indexes = [models.Index(fields=["account", "post"])]
        constraints = [models.UniqueConstraint(fields=["post", "acct"], name="mention_unique")]


class Tag(models.Model):
    name = models.CharField(max_length=200, unique=True)  # lower-cased
    display_name = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"#{self.display_name}"


class PostTag(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="post_tags")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="post_tags")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "tag"], name="post_tag_unique")]
        indexes = [models.Index(fields=["tag", "-post"], name="post_tag_tag_post")]


class Favourite(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="favourites")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="favourites")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "post"], name="favourite_unique")
        ]


class Bookmark(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="bookmarks")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="bookmarks")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "post"], name="bookmark_unique")]


class Pin(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="pins")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="pins")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "post"], name="pin_unique")]


class Poll(models.Model):
    post = models.OneToOneField(Post, on_delete=models.CASCADE, related_name="poll")
    options = models.JSONField()  # ["Yes", "No"]
    multiple = models.BooleanField(default=False)
    hide_totals = models.BooleanField(default=False)
    expires_at = models.DateTimeField()
    closed = models.BooleanField(default=False)  # set when the end was processed
    # A remote poll's tallies as its server last stated them (``Question`` replies
    # counts, ``votersCount``); None for local polls, counted from ``PollVote``.
    remote_counts = models.JSONField(null=True, blank=True)
    remote_voters = models.PositiveIntegerField(null=True, blank=True)
    remote_counts_at = models.DateTimeField(null=True, blank=True)

    @property
    def expired(self) -> bool:
        return self.expires_at <= timezone.now()


class PollVote(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="votes")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    choice = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["poll", "account", "choice"], name="poll_vote_unique")
        ]


class Conversation(models.Model):
    """A direct-message thread as one participant sees it (Mastodon's
    AccountConversation): kept by ``posts.conversations`` on each direct post."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    root_id = models.BigIntegerField()  # the thread's first post id
    participant_ids = models.JSONField(default=list)  # every participant but ``account``
    last_post = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    unread = models.BooleanField(default=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "root_id"], name="conversation_unique")
        ]
        indexes = [models.Index(fields=["account", "-last_post"], name="conversation_recent")]


class ConversationMute(models.Model):
    """A thread ``account`` wants no more notifications from (Mastodon's muted
    conversation), keyed on the thread's first post as ``Conversation`` is. Kept by
    ``posts.conversation_mutes``; it goes with the account or with the first post."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    root = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "root"], name="conversation_mute_unique")
        ]


class ScheduledPost(models.Model):
    """A post to publish at ``scheduled_at`` (through ``services.create_post``).
    ``params`` holds what the author sent; its media are reserved (Media.scheduled_post)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="scheduled_posts")
    scheduled_at = models.DateTimeField(db_index=True)
    params = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)


class FeaturedTag(models.Model):
    """A hashtag an account features on its profile (Mastodon's FeaturedTag); its
    count and last use are computed from the account's public posts when read."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="featured_tags")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "tag"], name="featured_tag_unique")
        ]

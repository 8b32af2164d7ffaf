"""Federation's own state. Only the instance actor's key pair lives here: it is not
an account (it must not appear in searches, counts or directories)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class InstanceActor(models.Model):
    """The server's ``Application`` actor at ``/actor`` (one row, pk=1), which signs
    fetches made on behalf of the server rather than of a person."""

    public_key = models.TextField()
    private_key = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)


class RemoteInstance(models.Model):
    """A server we talk to: its health for delivery, and what we know of it."""

    domain = models.CharField(max_length=253, unique=True)
    shared_inbox_url = models.URLField(max_length=2048, blank=True, default="")
    software = models.CharField(max_length=64, blank=True, default="")
    software_version = models.CharField(max_length=64, blank=True, default="")
    failures = models.PositiveIntegerField(default=0)  # consecutive failed deliveries
    unreachable_since = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.domain


class DomainBlock(models.Model):
    """An admin's decision about a whole server."""

    class Severity(models.TextChoices):
        SUSPEND = "suspend", "Suspend (no federation at all)"
        SILENCE = "silence", "Silence (hidden from public timelines; followers still see)"
        NONE = "noop", "No restriction (only the options below)"

    domain = models.CharField(max_length=253, unique=True)
    severity = models.CharField(max_length=8, choices=Severity.choices, default=Severity.SUSPEND)
    reject_media = models.BooleanField(default=False)
    reject_reports = models.BooleanField(default=False)
    public_comment = models.TextField(blank=True, default="")
    private_comment = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.domain} ({self.severity})"


class DomainAllow(models.Model):
    """A server allowed to federate while the allow-list mode is on."""

    domain = models.CharField(max_length=253, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.domain


class FederationSettings(models.Model):
    """Federation switches an admin changes at run time (one row, pk=1)."""

    authorized_fetch = models.BooleanField(
        default=False, help_text="Require signed requests to read posts and actors."
    )
    allowlist_mode = models.BooleanField(
        default=False, help_text="Federate only with the servers on the allow-list."
    )

    @classmethod
    def current(cls) -> FederationSettings:
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj


class InboxActivity(models.Model):
    """An activity received, keyed by its id: a replay changes nothing."""

    class Status(models.TextChoices):
        RECEIVED = "received"
        PROCESSED = "processed"
        IGNORED = "ignored"
        FAILED = "failed"

    activity_id = models.CharField(max_length=2048, unique=True)
    actor_uri = models.CharField(max_length=2048)
    type = models.CharField(max_length=32)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RECEIVED)
    error = models.TextField(blank=True, default="")
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "received_at"])]


class OutgoingActivity(models.Model):
    """An activity Rostra sends: stored once, however many inboxes it goes to (a post
    to 10,000 followers is one row here and 10,000 small ``Delivery`` rows)."""

    uri = models.CharField(max_length=2048, unique=True)  # the activity's ``id``
    type = models.CharField(max_length=32, blank=True, default="")
    payload = models.TextField()  # the JSON body, signed anew at each attempt
    signer = models.ForeignKey(
        "accounts.Account", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )  # None: the instance actor signs
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["signer", "type"])]


class Delivery(models.Model):
    """One activity to one inbox: at-least-once, retried with exponential backoff."""

    class Status(models.TextChoices):
        PENDING = "pending"
        DELIVERED = "delivered"
        FAILED = "failed"  # gave up (after about 3 days) or refused for good (4xx)

    activity = models.ForeignKey(OutgoingActivity, on_delete=models.CASCADE,
                                 related_name="deliveries")
    inbox_url = models.URLField(max_length=2048)
    instance = models.ForeignKey(
        RemoteInstance, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["activity", "inbox_url"], name="delivery_unique")
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    @property
    def payload(self) -> str:
        return self.activity.payload

    @property
    def signer(self):
        return self.activity.signer


class RemoteActor(models.Model):
    """What federation keeps about a remote account beyond the Account row."""

    account = models.OneToOneField(
        "accounts.Account", on_delete=models.CASCADE, related_name="remote_actor"
    )
    actor_type = models.CharField(max_length=32, default="Person")
    key_id = models.CharField(max_length=2048, blank=True, default="", db_index=True)
    followers_url = models.URLField(max_length=2048, blank=True, default="")
    following_url = models.URLField(max_length=2048, blank=True, default="")
    outbox_url = models.URLField(max_length=2048, blank=True, default="")
    featured_url = models.URLField(max_length=2048, blank=True, default="")
    also_known_as = models.JSONField(default=list, blank=True)
    fetched_at = models.DateTimeField(default=timezone.now)
    document = models.JSONField(default=dict, blank=True)  # the last actor document
    avatar_url = models.URLField(max_length=2048, blank=True, default="")  # remote, not mirrored
    header_url = models.URLField(max_length=2048, blank=True, default="")

    def __str__(self) -> str:
        return self.account.uri


class RemoteReport(models.Model):
    """A ``Flag`` another server sent us: kept for moderators (the moderation app
    turns these into cases)."""

    activity_id = models.CharField(max_length=2048, unique=True)
    reporter = models.ForeignKey(
        "accounts.Account", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )  # the reporting actor (often the remote instance actor, unknown as an account)
    reporter_uri = models.CharField(max_length=2048)
    target_account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="remote_reports"
    )
    posts = models.ManyToManyField("posts.Post", blank=True, related_name="+")
    content = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.reporter_uri} → {self.target_account}"

"""Accounts (local and, later, remote actors), log-ins and the social graph.

An ``Account`` is an actor: it posts, follows and is followed. A local account
has a ``User`` (the log-in); a remote one will not. Rules live in services.py.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from rostra.core.models import SnowflakeModel


class Account(SnowflakeModel):
    username = models.CharField(max_length=64)
    domain = models.CharField(max_length=253, blank=True, default="")  # "" = local
    display_name = models.CharField(max_length=100, blank=True, default="")
    note = models.TextField(blank=True, default="")  # bio as typed (plain text)
    note_html = models.TextField(blank=True, default="")  # bio rendered / sanitized
    fields = models.JSONField(blank=True, default=list)  # [{"name":..., "value":...}], up to 4
    avatar = models.ImageField(upload_to="avatars/%Y/%m/", blank=True, null=True)
    header = models.ImageField(upload_to="headers/%Y/%m/", blank=True, null=True)
    locked = models.BooleanField(default=False)
    bot = models.BooleanField(default=False)
    discoverable = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    last_status_at = models.DateTimeField(null=True, blank=True)
    suspended_at = models.DateTimeField(null=True, blank=True)
    # Moderators' measures on the account (set only through accounts.sanctions):
    # a temporary suspension's end; limited (Mastodon's "silence"): out of public
    # timelines, trends, search and suggestions; sensitized: its media always behind
    # a warning; terminated: closed for good (data kept through the appeal period).
    suspended_until = models.DateTimeField(null=True, blank=True)
    limited_at = models.DateTimeField(null=True, blank=True)
    sensitized_at = models.DateTimeField(null=True, blank=True)
    terminated_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)  # closed by its owner; suspended too
    # the owner asked to leave: hidden now, deleted for good at this time unless cancelled
    delete_after = models.DateTimeField(null=True, blank=True)
    # Federation fields, filled for remote actors (and served for local ones).
    uri = models.URLField(max_length=2048, blank=True, default="")
    url = models.URLField(max_length=2048, blank=True, default="")
    inbox_url = models.URLField(max_length=2048, blank=True, default="")
    shared_inbox_url = models.URLField(max_length=2048, blank=True, default="")
    public_key = models.TextField(blank=True, default="")
    private_key = models.TextField(blank=True, default="")
    # local accounts: actor URIs of the owner's other accounts (ActivityPub alsoKnownAs),
    # which a Move from one of them to this account needs
    also_known_as = models.JSONField(blank=True, default=list)
    moved_at = models.DateTimeField(null=True, blank=True)
    moved_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Denormalised counters, kept by the services (read on every profile view).
    followers_count = models.PositiveIntegerField(default=0)
    following_count = models.PositiveIntegerField(default=0)
    statuses_count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("username"), "domain", name="account_unique_handle"),
        ]
        indexes = [
            models.Index(fields=["domain", "username"]),
            # Covers "is this followed account suspended?" for a thousand follows
            # without reading the wide account rows (home and every feed ask it).
            models.Index(fields=["id", "suspended_at"], name="account_id_suspended"),
        ]

    def __str__(self) -> str:
        return self.acct

    @property
    def local(self) -> bool:
        return self.domain == ""

    @property
    def acct(self) -> str:
        return f"{self.username}@{self.domain}" if self.domain else self.username

    @property
    def name(self) -> str:
        return self.display_name or self.username


class User(AbstractUser):
    """A local log-in. Its ``account`` is the public face."""

    email = models.EmailField(unique=True)
    account = models.OneToOneField(
        Account, on_delete=models.CASCADE, related_name="user", null=True, blank=True
    )
    approved = models.BooleanField(default=True)
    registration_reason = models.TextField(blank=True, default="")
    invite = models.ForeignKey(
        "Invite", null=True, blank=True, on_delete=models.SET_NULL, related_name="users"
    )
    totp_secret = models.CharField(max_length=64, blank=True, default="")
    locale = models.CharField(max_length=16, blank=True, default="")
    default_visibility = models.CharField(max_length=16, default="public")
    default_sensitive = models.BooleanField(default=False)


class Invite(models.Model):
    code = models.CharField(max_length=32, unique=True)
    created_by = models.ForeignKey(User, on_delete=models.CASCADE, related_name="invites")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    max_uses = models.PositiveIntegerField(null=True, blank=True)
    uses = models.PositiveIntegerField(default=0)

    def usable(self) -> bool:
        if self.expires_at and self.expires_at <= timezone.now():
            return False
        return self.max_uses is None or self.uses < self.max_uses


class SiteSettings(models.Model):
    """Settings an admin changes at run time (one row)."""

    REGISTRATION_MODES = [("open", "Open"), ("approval", "Approval"), ("closed", "Closed")]
    registration_mode = models.CharField(max_length=16, choices=REGISTRATION_MODES, default="")
    title = models.CharField(max_length=100, default="Rostra")
    description = models.TextField(blank=True, default="")
    rules = models.TextField(blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "site settings"

    @classmethod
    def current(cls) -> SiteSettings:
        from django.conf import settings

        obj, _ = cls.objects.get_or_create(
            pk=1, defaults={"registration_mode": settings.ROSTRA_REGISTRATION}
        )
        return obj


class Follow(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="following_set")
    target_account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="followers_set"
    )
    created_at = models.DateTimeField(default=timezone.now)
    show_reblogs = models.BooleanField(default=True)
    notify = models.BooleanField(default=False)
    uri = models.URLField(max_length=2048, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "target_account"], name="follow_unique")
        ]
        indexes = [models.Index(fields=["target_account", "account"])]


class FollowRequest(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    target_account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="follow_requests"
    )
    created_at = models.DateTimeField(default=timezone.now)
    show_reblogs = models.BooleanField(default=True)
    notify = models.BooleanField(default=False)
    uri = models.URLField(max_length=2048, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "target_account"], name="follow_request_unique"
            )
        ]


class Block(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="blocking_set")
    target_account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="blocked_by_set"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "target_account"], name="block_unique")
        ]
        indexes = [models.Index(fields=["target_account", "account"])]


class Mute(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="muting_set")
    target_account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    hide_notifications = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "target_account"], name="mute_unique")
        ]


class Endorsement(models.Model):
    """An account featured on another's profile (Mastodon's "feature on profile")."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="endorsements")
    target_account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "target_account"],
                                    name="endorsement_unique")
        ]


class SuggestionDismissal(models.Model):
    """An account the owner does not want suggested to follow again."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    target_account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "target_account"],
                                    name="suggestion_dismissal_unique")
        ]


class AccountDomainBlock(models.Model):
    """A server one account chose not to hear from (Mastodon's "Block domain"); it
    covers the server's subdomains too. Rules in ``accounts.domain_blocks``."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="domain_blocks")
    domain = models.CharField(max_length=253)  # normalised: lower-case, IDNA, no port
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "domain"],
                                    name="account_domain_block_unique")
        ]


class AccountNote(models.Model):
    """A private note ``account`` keeps about ``target_account`` (Mastodon's account
    note): read only by its author, never federated nor shown to anyone else.
    Rules in ``accounts.notes``."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    target_account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    text = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "target_account"],
                                    name="account_note_unique")
        ]

"""Hash lists the media gate matches against, the allow-list that ends a false
positive, and victims' own submissions (StopNCII-style: hashes only, never images).

Safety sits below posts: it knows hashes, lists and verdicts, not posts. Hashes are
lower-case hex: SHA-256 (64), MD5 (32), PDQ (64, 256 bits) with its quality (0-100).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SignalType(models.TextChoices):
    PDQ = "pdq", _("PDQ (perceptual)")
    MD5 = "md5", "MD5"
    SHA256 = "sha256", "SHA-256"


class HashList(models.Model):
    class Kind(models.TextChoices):
        CSAM = "csam", _("Child sexual abuse material")
        NCII = "ncii", _("Non-consensual intimate images")
        TERROR = "terror", _("Terrorist content")
        OTHER = "other", _("Other")

    class Action(models.TextChoices):
        BLOCK = "block", _("Block: never published; a case opens")
        REVIEW = "review", _("Review: held until a moderator decides")

    class Source(models.TextChoices):
        IMPORT = "import", _("Imported file")
        VICTIMS = "victims", _("Submitted by the people depicted, on this server")
        FEED = "feed", _("A trusted server's feed")

    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    action = models.CharField(max_length=8, choices=Action.choices, default=Action.BLOCK)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.IMPORT)
    description = models.TextField(blank=True, default="")
    feed_url = models.URLField(max_length=2048, blank=True, default="")  # source == feed
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Bumped on every change of the list or its entries: matchers reload when it moves.
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name


class NciiSubmission(models.Model):
    """A person blocked their own intimate images by sending their hashes (computed
    in their browser). ``number`` is what they quote; the withdrawal secret is kept
    only as a hash."""

    number = models.CharField(max_length=32, unique=True)
    secret_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.number


class HashEntry(models.Model):
    hash_list = models.ForeignKey(HashList, on_delete=models.CASCADE, related_name="entries")
    signal_type = models.CharField(max_length=8, choices=SignalType.choices)
    value = models.CharField(max_length=64)
    quality = models.PositiveSmallIntegerField(null=True, blank=True)  # PDQ only
    submission = models.ForeignKey(NciiSubmission, null=True, blank=True,
                                   on_delete=models.CASCADE, related_name="entries")
    note = models.CharField(max_length=200, blank=True, default="")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["hash_list", "signal_type", "value"],
                                               name="hash_entry_once_per_list")]
        indexes = [models.Index(fields=["signal_type", "value"])]


class AllowEntry(models.Model):
    """A hash moderators cleared (a false positive): it never matches again."""

    signal_type = models.CharField(max_length=8, choices=SignalType.choices)
    value = models.CharField(max_length=64)
    reason = models.CharField(max_length=500, blank=True, default="")
    created_by = models.ForeignKey("accounts.User", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["signal_type", "value"],
                                               name="allow_entry_once")]


class NciiClaim(models.Model):
    """A fingerprint a submission asked to block. Two people may send the same image:
    the list holds one entry, and it stays until every submission claiming it is
    withdrawn."""

    submission = models.ForeignKey(NciiSubmission, on_delete=models.CASCADE,
                                   related_name="claims")
    signal_type = models.CharField(max_length=8, choices=SignalType.choices)
    value = models.CharField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["submission", "signal_type", "value"],
                                               name="ncii_claim_once")]
        indexes = [models.Index(fields=["signal_type", "value"])]

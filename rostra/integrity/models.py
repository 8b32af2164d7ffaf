"""Integrity: incidents of coordinated behaviour, the detectors' progress, election
periods, partners' watch lists, account labels and researcher access.

Models hold fields and invariants; the rules are in the modules beside this one
(``incidents``, ``stix_export``, ``watchlists``, ``labels``, ``research``)."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rostra.accounts.models import Account
from rostra.posts.models import Post


def _new_stix_id() -> str:
    return f"incident--{uuid.uuid4()}"


class Incident(models.Model):
    """A cluster of accounts acting in concert, handed to moderators as evidence.

    Built by the detectors (``source="detector"``) and merged with the open incident
    it overlaps as detection runs again, or imported from a partner's STIX bundle."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        REVIEWING = "reviewing", _("Under review")
        ACTIONED = "actioned", _("Acted on")
        DISMISSED = "dismissed", _("Dismissed (not coordinated, or not inauthentic)")

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True, default="")
    source = models.CharField(max_length=10, default="detector")  # detector | partner
    # Behaviours seen (e.g. "co_boost", "near_duplicate_text") and DISARM technique
    # ids (e.g. "T0049") they map to; an analyst may add techniques.
    behaviours = models.JSONField(default=list, blank=True)
    techniques = models.JSONField(default=list, blank=True)
    strength = models.FloatField(default=0.0)  # 0..1, how far above the null model
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()
    accounts = models.ManyToManyField(Account, through="IncidentMember", related_name="+")
    evidence_posts = models.ManyToManyField(Post, blank=True, related_name="+")
    instances = models.JSONField(default=list, blank=True)  # domains ("" = this server)
    # Figures per behaviour, thresholds and the null model's level, and the strongest
    # edges of the account graph ([[account_id, account_id, weight, behaviour], ...]).
    details = models.JSONField(default=dict, blank=True)
    election_mode = models.BooleanField(default=False)  # detected during an election period
    case = models.ForeignKey("moderation.Case", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    stix_id = models.CharField(max_length=64, unique=True,
                               default=_new_stix_id)  # stable across exports
    detected_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-strength", "-last_seen"]
        indexes = [models.Index(fields=["status", "-last_seen"])]

    def __str__(self) -> str:
        return f"I-{self.pk}: {self.title}"


class IncidentMember(models.Model):
    """An account's part in an incident: which behaviours, how strongly."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="members")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="incident_roles")
    behaviours = models.JSONField(default=list, blank=True)
    weight = models.FloatField(default=0.0)  # the account's strongest tie in the cluster
    evidence_count = models.PositiveIntegerField(default=0)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["incident", "account"],
                                               name="incident_member_once")]


class DetectorState(models.Model):
    """Where incremental detection stopped: the last post id each detector has
    seen, so a run reads only what is new (plus its window's overlap)."""

    name = models.CharField(max_length=64, unique=True)
    last_post_id = models.BigIntegerField(default=0)
    last_run_at = models.DateTimeField(null=True, blank=True)
    figures = models.JSONField(default=dict, blank=True)  # posts read, clusters, seconds


class ElectionPeriod(models.Model):
    """Election mode: while a period is on, windows and thresholds tighten and new
    incidents alert the moderators."""

    name = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    created_by = models.ForeignKey("accounts.User", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_at"]
        constraints = [models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")),
                                              name="election_period_ends_after_start")]


class WatchSource(models.Model):
    """A partner's STIX bundle whose indicators we watch for."""

    name = models.CharField(max_length=200)  # the producing identity's name
    identity_id = models.CharField(max_length=64, blank=True, default="")  # "identity--..."
    bundle_id = models.CharField(max_length=64, blank=True, default="")
    tlp = models.CharField(max_length=16, blank=True, default="")  # "clear", "green", "amber"
    imported_by = models.ForeignKey("accounts.User", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    imported_at = models.DateTimeField(default=timezone.now)
    active = models.BooleanField(default=True)


class Indicator(models.Model):
    """One thing to watch for: a domain, a URL or an account (its actor URI or
    ``user@domain``), from a partner's STIX indicator."""

    class Kind(models.TextChoices):
        DOMAIN = "domain", _("Domain")
        URL = "url", _("URL")
        ACCOUNT = "account", _("Account")

    source = models.ForeignKey(WatchSource, on_delete=models.CASCADE, related_name="indicators")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    value = models.CharField(max_length=2048)  # normalised (lower-case host, no fragment)
    stix_id = models.CharField(max_length=64, blank=True, default="")
    name = models.CharField(max_length=300, blank=True, default="")
    pattern = models.TextField(blank=True, default="")  # the STIX pattern as received
    valid_from = models.DateTimeField(null=True, blank=True)
    valid_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["kind", "value"])]
        constraints = [models.UniqueConstraint(fields=["source", "kind", "value"],
                                               name="indicator_once_per_source")]


class WatchMatch(models.Model):
    """A post or an account here matched a partner's indicator."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="matches")
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="+")
    account = models.ForeignKey(Account, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="+")
    matched_at = models.DateTimeField(default=timezone.now)
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-matched_at"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "post"],
                                    condition=models.Q(post__isnull=False),
                                    name="watch_match_post_once"),
            models.UniqueConstraint(fields=["indicator", "account"],
                                    condition=models.Q(post__isnull=True),
                                    name="watch_match_account_once"),
        ]


class AccountLabel(models.Model):
    """A public label on an account: state-affiliated media, a government or an
    official body, with where the fact comes from and since when."""

    class Kind(models.TextChoices):
        STATE_MEDIA = "state_media", _("State-affiliated media")
        GOVERNMENT = "government", _("Government account")
        OFFICIAL = "official", _("Official body")

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="labels")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    country = models.CharField(max_length=2, blank=True, default="")  # ISO 3166-1 alpha-2
    source_url = models.URLField(max_length=2048, blank=True, default="")
    source_note = models.CharField(max_length=500, blank=True, default="")
    since = models.DateField(default=timezone.localdate)
    created_by = models.ForeignKey("accounts.User", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["kind"]
        constraints = [models.UniqueConstraint(fields=["account", "kind"],
                                               condition=models.Q(removed_at__isnull=True),
                                               name="account_label_once")]


class Researcher(models.Model):
    """A researcher who applied for access to public data (DSA Art. 40(12)); an
    admin approves, and the key is shown once and stored hashed."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        REVOKED = "revoked", _("Revoked")

    name = models.CharField(max_length=200)
    organisation = models.CharField(max_length=300)
    email = models.EmailField()
    purpose = models.TextField()  # the research project, as the applicant describes it
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey("accounts.User", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True, default="")
    key_prefix = models.CharField(max_length=16, blank=True, default="", db_index=True)
    key_hash = models.CharField(max_length=128, blank=True, default="")
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)


class LateArrival(models.Model):
    """A federated post that reached this server well after it was published (a
    slow server, a fetched thread, a backfill). Detection reads posts in id order,
    which is publication order, so it may already have passed this post's time:
    the next run also reads the posts around it (``integrity.late``)."""

    post_id = models.BigIntegerField(unique=True)
    created_at = models.DateTimeField(default=timezone.now)

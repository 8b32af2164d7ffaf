"""Cases: what moderators decide on, opened by a notice (anyone, Art. 16 DSA), a
report (a signed-in user, the Mastodon API), a trusted flagger (Art. 22), another
server (a federated ``Flag``) or automated detection."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rostra.accounts.models import Account
from rostra.posts.models import Media, Post


class Category(models.TextChoices):
    """What a notice says is wrong. The first two go before anything else."""

    CSAM = "csam", _("Child sexual abuse material")
    INTIMATE_IMAGES = "intimate_images", _(
        "Intimate images shared without consent (incl. deepfakes)")
    AI_SEXUAL_IMAGERY = "ai_sexual_imagery", _("Sexual AI-generated imagery of a real person")
    TERRORISM = "terrorism", _("Terrorist content")
    ILLEGAL_HATE = "illegal_hate", _("Illegal hate speech or incitement to violence")
    THREATS = "threats", _("Threats, harassment or stalking")
    SCAM = "scam", _("Scam, fraud or phishing")
    PRIVACY = "privacy", _("Personal data published without consent (doxxing)")
    INTELLECTUAL_PROPERTY = "intellectual_property", _("Copyright or trademark infringement")
    ELECTIONS = "elections", _("Election interference or illegal political advertising")
    OTHER_ILLEGAL = "other_illegal", _("Other illegal content")
    SPAM = "spam", _("Spam")
    TERMS = "terms", _("Against this server's rules")
    OTHER = "other", _("Something else")


ILLEGAL = frozenset({Category.CSAM, Category.INTIMATE_IMAGES, Category.AI_SEXUAL_IMAGERY,
                     Category.TERRORISM,
                     Category.ILLEGAL_HATE, Category.THREATS, Category.SCAM, Category.PRIVACY,
                     Category.INTELLECTUAL_PROPERTY, Category.ELECTIONS, Category.OTHER_ILLEGAL})


class Source(models.TextChoices):
    NOTICE = "notice", _("Notice (anyone)")
    REPORT = "report", _("Report by a user")
    TRUSTED_FLAGGER = "trusted_flagger", _("Trusted flagger")
    FEDERATION = "federation", _("Another server")
    AUTOMATED = "automated", _("Automated detection")
    OWN_INITIATIVE = "own_initiative", _("Moderators' own initiative")


class TrustedFlagger(models.Model):
    """An organisation an admin designated (Art. 22 DSA): its notices go first."""

    name = models.CharField(max_length=200)
    email_domain = models.CharField(max_length=253, blank=True, default="")
    accounts = models.ManyToManyField(Account, blank=True, related_name="+")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name


class Case(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DECIDED = "decided", _("Decided")
        CLOSED = "closed", _("Closed")  # nothing to decide (a duplicate, withdrawn)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    category = models.CharField(max_length=32, choices=Category.choices)
    source = models.CharField(max_length=20, choices=Source.choices)
    priority = models.PositiveSmallIntegerField(default=0)  # higher first
    # What the case is about: a post, an account, or only an address (the notice's URL).
    target_account = models.ForeignKey(Account, null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="+")
    target_posts = models.ManyToManyField(Post, blank=True, related_name="+")
    content_url = models.URLField(max_length=2048, blank=True, default="")
    explanation = models.TextField(blank=True, default="")
    rule_ids = models.JSONField(default=list, blank=True)
    # Who sent it: an account, or a name and address (optional for CSAM), or neither.
    notifier = models.ForeignKey(Account, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    notifier_name = models.CharField(max_length=200, blank=True, default="")
    notifier_email = models.EmailField(blank=True, default="")
    good_faith = models.BooleanField(default=False)
    trusted_flagger = models.ForeignKey(TrustedFlagger, null=True, blank=True,
                                        on_delete=models.SET_NULL, related_name="cases")
    forward = models.BooleanField(default=False)  # send a Flag to the account's server
    external_id = models.CharField(max_length=2048, blank=True, default="")  # a Flag's id
    receipt = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Automated detection (the media gate): the media matched, and the evidence kept
    # with restricted access (hashes, lists, uploader, time, source, address).
    media = models.ManyToManyField(Media, blank=True, related_name="+")
    evidence = models.JSONField(default=dict, blank=True)
    # Child sexual abuse material is reported to the competent hotline or authority.
    report_to_authority = models.BooleanField(default=False)
    reported_to_authority_at = models.DateTimeField(null=True, blank=True)
    assigned_to = models.ForeignKey("accounts.User", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "-priority", "created_at"])]
        constraints = [models.UniqueConstraint(
            fields=["external_id"], condition=~models.Q(external_id=""),
            name="case_external_id_once")]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        """The case number people quote: year and a sequence, e.g. ``R-2026-000042``."""
        return f"R-{self.created_at:%Y}-{self.pk:06d}"


class CaseNote(models.Model):
    """A moderator's internal note on a case (never shown to the parties)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL,
                               related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]


class _AppendOnly(models.QuerySet):
    def update(self, **kwargs):
        raise ValueError("The audit log is append-only.")

    def delete(self):
        raise ValueError("The audit log is append-only.")


class AuditEntry(models.Model):
    """One moderation action, append-only: the application never changes or deletes
    a row (``save`` refuses an update; ``delete`` and queryset ``update``/``delete``
    refuse outright)."""

    actor = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")  # None: the system (automated, a Flag)
    action = models.CharField(max_length=64)
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="audit")
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = _AppendOnly.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["action", "created_at"])]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("The audit log is append-only.")


class Measure(models.TextChoices):
    """What a decision does. Post measures act on the case's posts, account
    measures on its account; ``none`` decides not to act (and is appealable by the
    notifier)."""

    NONE = "none", _("No action")
    REMOVE = "remove", _("Remove the content")
    DISABLE = "disable", _("Disable access to the content")
    DEMOTE = "demote", _("Restrict the content's visibility (out of timelines, trends, search)")
    AGE_RESTRICT = "age_restrict", _("Age-restrict the content")
    MARK_SENSITIVE = "mark_sensitive", _("Mark the content as sensitive")
    LABEL = "label", _("Label the content")
    RESTRICT_INTERACTIONS = "restrict_interactions", _("Restrict replies, boosts and likes")
    SUSPEND = "suspend", _("Suspend the account")
    LIMIT = "limit", _("Limit the account (out of public timelines, trends and search)")
    SENSITIZE = "sensitize", _("Put all the account's media behind a warning")
    DISABLE_LOGIN = "disable_login", _("Freeze the account's log-in")
    TERMINATE = "terminate", _("Terminate the account")


POST_MEASURES = frozenset({Measure.REMOVE, Measure.DISABLE, Measure.DEMOTE,
                           Measure.AGE_RESTRICT, Measure.MARK_SENSITIVE, Measure.LABEL,
                           Measure.RESTRICT_INTERACTIONS})
ACCOUNT_MEASURES = frozenset({Measure.SUSPEND, Measure.LIMIT, Measure.SENSITIZE,
                              Measure.DISABLE_LOGIN, Measure.TERMINATE})


class Ground(models.TextChoices):
    ILLEGAL = "illegal", _("Illegal content (a law)")
    TERMS = "terms", _("Incompatible with the terms of service (a rule)")


class Automation(models.TextChoices):
    NOT = "not", _("Not automated")
    PARTIALLY = "partially", _("Partially automated")
    FULLY = "fully", _("Fully automated")


class Decision(models.Model):
    """A moderation decision and its statement of reasons (Art. 17 DSA): what was
    done, to what, on which ground, why, where and for how long, how it came about
    (a notice or own initiative; automation), and what it changed (``effects``: the
    values before and after on each post and on the account, so that a reversal
    puts back exactly what was there)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="decisions")
    measure = models.CharField(max_length=24, choices=Measure.choices)
    target_account = models.ForeignKey(Account, null=True, blank=True,
                                       on_delete=models.SET_NULL, related_name="+")
    target_posts = models.ManyToManyField(Post, blank=True, related_name="+")
    ground = models.CharField(max_length=8, choices=Ground.choices, blank=True, default="")
    legal_ground = models.CharField(max_length=500, blank=True, default="")
    terms_ground = models.CharField(max_length=500, blank=True, default="")
    explanation = models.TextField(blank=True, default="")  # why the content is (il)legal
    facts = models.TextField(blank=True, default="")  # facts and circumstances relied on
    category = models.CharField(max_length=32, choices=Category.choices)
    label = models.CharField(max_length=200, blank=True, default="")
    territorial_scope = models.JSONField(default=list, blank=True)  # ISO 3166 codes
    starts_at = models.DateTimeField(default=timezone.now)
    ends_at = models.DateTimeField(null=True, blank=True)  # None: indefinite
    automated_detection = models.BooleanField(default=False)
    automated_decision = models.CharField(max_length=10, choices=Automation.choices,
                                          default=Automation.NOT)
    send_flag = models.BooleanField(default=False)  # tell the content's own server
    effects = models.JSONField(default=dict, blank=True)
    decided_by = models.ForeignKey("accounts.User", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)  # a temporary measure lapsed
    reversed_at = models.DateTimeField(null=True, blank=True)  # an appeal undid it
    # When it reached the EU's DSA Transparency Database (None: not yet).
    transparency_db_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["created_at"]),
                   models.Index(fields=["ends_at", "ended_at"])]

    def __str__(self) -> str:
        return f"{self.get_measure_display()} ({self.case.number})"

    @property
    def restrictive(self) -> bool:
        return self.measure != Measure.NONE

    @property
    def in_force(self) -> bool:
        return self.restrictive and self.reversed_at is None and self.ended_at is None


class Appeal(models.Model):
    """A request to review a decision (Art. 20 DSA), by the account it affected or
    by the person whose notice led to it, within six months. A moderator other
    than the one who decided reviews it; a reversal undoes the decision."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        UPHELD = "upheld", _("Decision upheld")
        REVERSED = "reversed", _("Decision reversed")

    class Role(models.TextChoices):
        AFFECTED = "affected", _("The account the decision is about")
        NOTIFIER = "notifier", _("Who sent the notice")

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="appeals")
    role = models.CharField(max_length=10, choices=Role.choices)
    account = models.ForeignKey(Account, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    text = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    reviewer = models.ForeignKey("accounts.User", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    response = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(
            fields=["decision", "role"], condition=models.Q(status="pending"),
            name="appeal_one_pending_per_role")]

"""Import jobs and what each created, so imports are idempotent, resumable and undoable."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from rostra.posts.models import Post


class ImportJob(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        UNDONE = "undone", _("Undone")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="import_jobs")
    source = models.CharField(max_length=16, default="x")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    archive_path = models.CharField(max_length=1024, blank=True, default="")
    options = models.JSONField(default=dict, blank=True)
    counts = models.JSONField(default=dict, blank=True)  # {"done": n, "total": n}
    report = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.source} import #{self.pk} of {self.user} ({self.status})"


class ImportedItem(models.Model):
    """One source item (an X post id) and the post it became."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="items")
    source_id = models.CharField(max_length=64)
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "source_id"], name="imported_item_once"),
        ]
        indexes = [models.Index(fields=["source_id"], name="imported_item_source")]


# --- reconnecting people: see ``x_connections`` (all of it private to its owner) ----

class XIdentity(models.Model):
    """The X account an archive belongs to, kept for its importer only.

    ``findable`` is the owner's opt-in: only then does their X account id match
    anyone (here or on another Rostra server). The id is never shown anywhere.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="x_identity")
    x_account_id = models.CharField(max_length=32, db_index=True)
    x_username = models.CharField(max_length=64, blank=True, default="")
    findable = models.BooleanField(default=False)
    findable_since = models.DateTimeField(null=True, blank=True)
    refresh_requested_at = models.DateTimeField(null=True, blank=True)  # remote lookups
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"X identity of {self.user}"


class XConnection(models.Model):
    """One X account the owner followed, or that followed them (ids only, private)."""

    class Direction(models.TextChoices):
        FOLLOWER = "follower"
        FOLLOWING = "following"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="x_connections")
    x_account_id = models.CharField(max_length=32)
    direction = models.CharField(max_length=9, choices=Direction.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "direction", "x_account_id"],
                                    name="x_connection_once"),
        ]
        indexes = [models.Index(fields=["x_account_id"], name="x_connection_x_id")]


class XRemoteMapping(models.Model):
    """What another Rostra server answered: X id → one of its (opted-in) actors."""

    x_account_id = models.CharField(max_length=32)
    actor_uri = models.CharField(max_length=2048)
    account = models.ForeignKey("accounts.Account", null=True, blank=True,
                                on_delete=models.CASCADE, related_name="+")
    source_domain = models.CharField(max_length=253)
    fetched_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source_domain", "x_account_id", "actor_uri"],
                                    name="x_remote_mapping_once"),
        ]
        indexes = [models.Index(fields=["x_account_id"], name="x_remote_mapping_x_id")]


class XLookupServer(models.Model):
    """A server probed for the X-connections lookup (its NodeInfo advertises it)."""

    domain = models.CharField(max_length=253, unique=True)
    lookup_url = models.CharField(max_length=2048, blank=True, default="")  # "" = none
    checked_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.domain


from rostra.portability.export_models import ExportJob  # noqa: E402,F401  (registers the model)

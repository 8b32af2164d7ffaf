"""Import jobs and what each created, so imports are idempotent, resumable and undoable."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from rostra.posts.models import Post


class ImportJob(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"
        UNDONE = "undone"

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

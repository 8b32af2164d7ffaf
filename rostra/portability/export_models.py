"""Export jobs: one archive a user asked for, its progress and where its zip is."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ExportJob(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="export_jobs")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    path = models.CharField(max_length=1024, blank=True, default="")  # the finished zip
    counts = models.JSONField(default=dict, blank=True)  # {"done": n, "total": n}
    report = models.JSONField(default=dict, blank=True)  # ExportReport.as_dict()
    error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "portability"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"export #{self.pk} of {self.user} ({self.status})"

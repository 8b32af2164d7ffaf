"""Settings → Import from X: upload, preview, background import, progress, undo.

Thin door over ``portability.importer``. The upload is streamed to a file in
the imports folder (``TemporaryFileUploadHandler``, never held in memory); the
preview is a dry run; the import runs as a background task.
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from rostra.portability.importer import VISIBILITIES, import_x_archive, undo_import
from rostra.portability.models import ImportJob
from rostra.portability.tasks import run_x_import
from rostra.portability.x_archive import ArchiveError


def import_dir() -> Path:
    path = Path(getattr(settings, "ROSTRA_IMPORT_DIR", "") or Path(settings.BASE_DIR) / "imports")
    path.mkdir(parents=True, exist_ok=True)
    return path


def _page(request, template, context):
    return render(request, template, {"section": "import", **context})


@csrf_exempt  # the handlers must be set before the body is read; CSRF is checked below
@login_required
@require_http_methods(["GET", "POST"])
def import_x(request):
    request.upload_handlers = [TemporaryFileUploadHandler(request)]
    return _import_x(request)


@csrf_protect
def _import_x(request):
    if request.method == "POST":
        upload = request.FILES.get("archive")
        if upload is None:
            messages.error(request, "Choose the zip file X sent you.")
            return redirect("web:import_x")
        target = import_dir() / f"{uuid.uuid4().hex}.zip"
        if hasattr(upload, "temporary_file_path"):
            shutil.move(upload.temporary_file_path(), target)
        else:
            with target.open("wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
        try:
            report = import_x_archive(request.user, target, dry_run=True)
        except ArchiveError as exc:
            target.unlink(missing_ok=True)
            return _page(request, "web/settings/import.html",
                         {"error": str(exc), "jobs": _jobs(request)})
        job = ImportJob.objects.create(user=request.user, source="x", archive_path=str(target),
                                       report=report.as_dict())
        return redirect("web:import_job", job.pk)
    return _page(request, "web/settings/import.html", {"jobs": _jobs(request)})


def _jobs(request):
    return ImportJob.objects.filter(user=request.user)[:20]


@login_required
@require_http_methods(["GET", "POST"])
def import_job(request, job_id: int):
    job = get_object_or_404(ImportJob, pk=job_id, user=request.user)
    if request.method == "POST" and request.POST.get("action") == "start":
        if job.status == ImportJob.Status.PENDING:
            visibility = request.POST.get("visibility", "public")
            job.options = {
                "since": request.POST.get("since", ""), "until": request.POST.get("until", ""),
                "skip_replies": bool(request.POST.get("skip_replies")),
                "visibility": visibility if visibility in VISIBILITIES else "public",
                "profile": bool(request.POST.get("profile")),
            }
            job.status = ImportJob.Status.RUNNING
            job.save(update_fields=["options", "status"])
            run_x_import.enqueue(job.pk)
        return redirect("web:import_job", job.pk)
    if request.method == "POST" and request.POST.get("action") == "undo":
        if job.status in {ImportJob.Status.DONE, ImportJob.Status.FAILED}:
            removed = undo_import(job)
            messages.success(request, f"Removed {removed} imported posts.")
        return redirect("web:import_job", job.pk)
    counts = job.counts or {}
    percent = int(100 * counts.get("done", 0) / counts["total"]) if counts.get("total") else 0
    return _page(request, "web/settings/import_job.html", {
        "job": job, "report": job.report, "percent": percent,
        "visibilities": VISIBILITIES,
        "refresh": job.status == ImportJob.Status.RUNNING,
    })

"""Settings → Import: X and Mastodon archives and Rostra exports (upload, preview,
background import, progress, undo) and Mastodon's CSV files (follows, mutes, blocks,
lists, bookmarks).

Thin door over ``portability.archive_import`` (either archive page takes any
archive: what it is is detected) and ``portability.csv_imports``. An archive
upload is streamed to a file in the imports folder (``TemporaryFileUploadHandler``,
never held in memory); the preview is a dry run; imports run as background tasks.
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from rostra.portability import archive_import, csv_imports
from rostra.portability.archive_files import ArchiveError
from rostra.portability.importer import VISIBILITIES, undo_import
from rostra.portability.models import ImportJob
from rostra.portability.tasks import run_mastodon_import, run_x_import

SOURCES = {"x": "X", "mastodon": "Mastodon", "rostra": gettext_lazy("a Rostra export"),
           "csv": gettext_lazy("a Mastodon CSV file")}
SECTIONS = {"x": "import", "mastodon": "import_mastodon", "rostra": "import_mastodon",
            "csv": "import_csv"}
LISTED = {"x": ("x",), "mastodon": ("mastodon", "rostra"), "csv": ("csv",)}


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
    return _upload_and_preview(request, "x", "web/settings/import.html",
                               _("Choose the zip file X sent you."))


@csrf_exempt  # as import_x: upload handlers first, CSRF checked below
@login_required
@require_http_methods(["GET", "POST"])
def import_mastodon(request):
    request.upload_handlers = [TemporaryFileUploadHandler(request)]
    return _import_mastodon(request)


@csrf_protect
def _import_mastodon(request):
    return _upload_and_preview(request, "mastodon", "web/settings/import_mastodon.html",
                               _("Choose the archive (.zip or .tar.gz) Mastodon or Rostra "
                                 "sent you."))


def _upload_and_preview(request, source: str, template: str, missing: str):
    """Store the upload, tell what archive it is, preview it as a dry run (which also
    verifies a Rostra export whole), and make its pending job."""
    if request.method != "POST":
        return _page(request, template, {"jobs": _jobs(request, source),
                                         "section": SECTIONS[source]})
    upload = request.FILES.get("archive")
    if upload is None:
        messages.error(request, missing)
        return redirect(request.path)
    target = import_dir() / f"{uuid.uuid4().hex}.upload"
    if hasattr(upload, "temporary_file_path"):
        shutil.move(upload.temporary_file_path(), target)
    else:
        with target.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
    try:
        kind = archive_import.detect(target)
        report = archive_import.import_archive(request.user, target, kind=kind, dry_run=True)
    except ArchiveError as exc:
        target.unlink(missing_ok=True)
        return _page(request, template, {"error": str(exc), "jobs": _jobs(request, source),
                                         "section": SECTIONS[source]})
    job = ImportJob.objects.create(user=request.user, source=getattr(report, "format", kind),
                                   archive_path=str(target), report=report.as_dict())
    return redirect("web:import_job", job.pk)


def _jobs(request, source: str):
    return ImportJob.objects.filter(user=request.user, source__in=LISTED[source])[:20]


@login_required
@require_http_methods(["GET", "POST"])
def import_csv(request):
    """Mastodon CSV files: checked at once, then run in the background."""
    context = {"kinds": csv_imports.KINDS, "modes": csv_imports.MODES}
    if request.method == "POST":
        upload = request.FILES.get("file")
        kind = request.POST.get("kind", "")
        mode = request.POST.get("mode", "merge")
        try:
            if upload is None:
                raise csv_imports.CsvImportError(_("Choose the CSV file to import."))
            if upload.size > csv_imports.MAX_BYTES:
                raise csv_imports.CsvImportError(_("The file is larger than 10 MB."))
            job = csv_imports.start(request.user, kind, upload.read(), mode=mode)
        except csv_imports.CsvImportError as exc:
            context.update(error=str(exc), kind=kind, mode=mode)
        else:
            transaction.on_commit(lambda: csv_imports.enqueue(job))
            return redirect("web:import_job", job.pk)
    return _page(request, "web/settings/import_csv.html",
                 {**context, "jobs": _jobs(request, "csv"), "section": "import_csv"})


@login_required
@require_http_methods(["GET", "POST"])
def import_job(request, job_id: int):
    job = get_object_or_404(ImportJob, pk=job_id, user=request.user)
    if job.source == "csv":
        return _csv_job(request, job)
    if request.method == "POST" and request.POST.get("action") == "start":
        if job.status == ImportJob.Status.PENDING:
            job.options = _start_options(request, job.source)
            job.status = ImportJob.Status.RUNNING
            job.save(update_fields=["options", "status"])
            task = run_x_import if job.source == "x" else run_mastodon_import
            task.enqueue(job.pk)
        return redirect("web:import_job", job.pk)
    if request.method == "POST" and request.POST.get("action") == "undo":
        if job.status in {ImportJob.Status.DONE, ImportJob.Status.FAILED}:
            removed = undo_import(job)
            messages.success(request, ngettext("Removed %(count)s imported post.",
                                                 "Removed %(count)s imported posts.",
                                                 removed) % {"count": removed})
        return redirect("web:import_job", job.pk)
    counts = job.counts or {}
    percent = int(100 * counts.get("done", 0) / counts["total"]) if counts.get("total") else 0
    follow_ups = ImportJob.objects.filter(
        user=request.user, pk__in=list((job.options.get("follow_ups") or {}).values()))
    return _page(request, "web/settings/import_job.html", {
        "job": job, "report": job.report, "percent": percent, "follow_ups": follow_ups,
        "kind_labels": csv_imports.KINDS,
        "visibilities": VISIBILITIES, "source_label": SOURCES.get(job.source, job.source),
        "section": SECTIONS.get(job.source, "import"),
        "refresh": job.status == ImportJob.Status.RUNNING or any(
            f.status in {ImportJob.Status.PENDING, ImportJob.Status.RUNNING} for f in follow_ups),
    })


def _start_options(request, source: str) -> dict:
    if source != "x":
        return {"profile": bool(request.POST.get("profile"))}
    visibility = request.POST.get("visibility", "public")
    return {
        "since": request.POST.get("since", ""), "until": request.POST.get("until", ""),
        "skip_replies": bool(request.POST.get("skip_replies")),
        "visibility": visibility if visibility in VISIBILITIES else "public",
        "profile": bool(request.POST.get("profile")),
    }


def _csv_job(request, job: ImportJob):
    counts = job.counts or {}
    percent = int(100 * counts.get("done", 0) / counts["total"]) if counts.get("total") else 0
    return _page(request, "web/settings/import_csv_job.html", {
        "job": job, "report": job.report, "percent": percent,
        "kind_label": csv_imports.KINDS.get(job.options.get("kind"), ""), "section": "import_csv",
        "refresh": job.status in {ImportJob.Status.PENDING, ImportJob.Status.RUNNING},
    })

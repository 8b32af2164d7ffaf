"""Settings → Export: ask for an archive of everything, watch it being built, download it.

Thin door over ``portability.export_tasks``. Only the owner sees their jobs and
downloads their zip; the file is streamed (``FileResponse``), never read whole.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from rostra.portability.export_models import ExportJob
from rostra.portability.export_tasks import active_job, request_export


@login_required
@require_http_methods(["GET", "POST"])
def export(request):
    """The export page: the job under way (with progress) or the button to start one."""
    if request.method == "POST":
        request_export(request.user)
        return redirect("web:export")
    jobs = list(ExportJob.objects.filter(user=request.user)[:10])
    current = active_job(request.user)
    counts = (current.counts or {}) if current else {}
    percent = int(100 * counts.get("done", 0) / counts["total"]) if counts.get("total") else 0
    ready = next((j for j in jobs if j.status == ExportJob.Status.DONE and j.path
                  and Path(j.path).exists()), None)
    return render(request, "web/settings/export.html", {
        "section": "export", "jobs": jobs, "current": current, "percent": percent,
        "ready": ready, "refresh": current is not None,
    })


@login_required
@require_GET
def export_download(request, job_id: int):
    """The zip of a finished export, to its owner only (404 for anyone else)."""
    job = get_object_or_404(ExportJob, pk=job_id, user=request.user,
                            status=ExportJob.Status.DONE)
    path = Path(job.path) if job.path else None
    if path is None or not path.is_file():
        raise Http404("This export is no longer kept: ask for a new one.")
    stamp = (job.finished_at or job.created_at).strftime("%Y-%m-%d")
    name = f"rostra-{request.user.username}-{stamp}.zip"
    response = FileResponse(path.open("rb"), as_attachment=True, filename=name,
                            content_type="application/zip")
    response["Cache-Control"] = "private, no-store"
    return response

"""Exports in the background: ask for one (``request_export``), the worker builds it
(``run_export``, through the ``build_export_job`` task), the owner downloads it.

One export at a time per user; a finished export replaces the user's earlier
zips (they hold the same data, older).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from rostra.portability.export import ExportError, build_export
from rostra.portability.export_models import ExportJob

SAVE_EVERY_SECONDS = 2
STALE_AFTER = timedelta(hours=24)  # a job whose worker died stops blocking a new one


def export_dir() -> Path:
    """Where finished zips wait for their owners (``ROSTRA_EXPORT_DIR`` or data/exports)."""
    path = Path(getattr(settings, "ROSTRA_EXPORT_DIR", "")
                or Path(settings.BASE_DIR) / "exports")
    path.mkdir(parents=True, exist_ok=True)
    return path


def active_job(user) -> ExportJob | None:
    """The user's export queued or under way (None when there is none, or it is stale)."""
    return ExportJob.objects.filter(
        user=user, status__in=[ExportJob.Status.PENDING, ExportJob.Status.RUNNING],
        created_at__gte=timezone.now() - STALE_AFTER).first()


def request_export(user) -> ExportJob:
    """The user's export job: the one under way, else a new one queued after commit."""
    job = active_job(user)
    if job is not None:
        return job
    job = ExportJob.objects.create(user=user)
    transaction.on_commit(lambda: build_export_job.enqueue(job.pk))
    return job


def run_export(job: ExportJob) -> ExportJob:
    """Build ``job``'s zip, recording progress on the job; returns it refreshed."""
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING, error="")
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    path = export_dir() / f"{job.user.username}-{stamp}-{job.pk}.zip"
    last = [0.0]

    def progress(done: int, total: int) -> None:
        now = timezone.now().timestamp()
        if now - last[0] >= SAVE_EVERY_SECONDS or done >= total:
            last[0] = now
            ExportJob.objects.filter(pk=job.pk).update(counts={"done": done, "total": total})

    try:
        report = build_export(job.user.account, path, progress=progress)
    except ExportError as exc:
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.FAILED, error=str(exc), finished_at=timezone.now())
    except Exception as exc:
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.FAILED, error=f"The export failed: {exc}",
            finished_at=timezone.now())
        raise
    else:
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.DONE, path=str(path), report=report.as_dict(),
            finished_at=timezone.now())
        _drop_older(job)
    job.refresh_from_db()
    return job


def _drop_older(job: ExportJob) -> None:
    for old in ExportJob.objects.filter(user=job.user, pk__lt=job.pk).exclude(path=""):
        Path(old.path).unlink(missing_ok=True)
        ExportJob.objects.filter(pk=old.pk).update(path="")


@task()
def build_export_job(job_id: int) -> None:
    job = ExportJob.objects.select_related("user__account").get(pk=job_id)
    if job.status in {ExportJob.Status.DONE, ExportJob.Status.FAILED}:
        return
    run_export(job)

"""Background imports, run by the task worker (the web door enqueues them)."""

from django_tasks import task


@task()
def run_x_import(job_id: int) -> None:
    from rostra.portability.importer import import_x_archive
    from rostra.portability.models import ImportJob
    from rostra.portability.x_archive import ArchiveError

    job = ImportJob.objects.select_related("user").get(pk=job_id)
    if job.status in {ImportJob.Status.DONE, ImportJob.Status.UNDONE}:
        return
    opts = job.options
    try:
        import_x_archive(job.user, job.archive_path, since=opts.get("since") or None,
                         until=opts.get("until") or None,
                         skip_replies=bool(opts.get("skip_replies")),
                         visibility=opts.get("visibility", "public"),
                         profile=bool(opts.get("profile")), job=job)
    except ArchiveError:
        return  # recorded on the job as failed, with the message


@task()
def run_mastodon_import(job_id: int) -> None:
    from rostra.portability.archive_files import ArchiveError
    from rostra.portability.mastodon_importer import import_mastodon_archive
    from rostra.portability.models import ImportJob

    job = ImportJob.objects.select_related("user").get(pk=job_id)
    if job.status in {ImportJob.Status.DONE, ImportJob.Status.UNDONE}:
        return
    try:
        import_mastodon_archive(job.user, job.archive_path,
                                profile=bool(job.options.get("profile")), job=job)
    except ArchiveError:
        return  # recorded on the job as failed, with the message


@task()
def run_csv_import(job_id: int) -> None:
    from rostra.portability import csv_imports
    from rostra.portability.models import ImportJob

    job = ImportJob.objects.select_related("user").get(pk=job_id)
    if job.status in {ImportJob.Status.DONE, ImportJob.Status.UNDONE}:
        return
    csv_imports.run(job)


@task()
def run_post_transfer(job_id: int) -> None:
    """Copy posts from an old account on another server, then report the copies
    (``portability.post_transfer``); a rate-limited source is asked again later."""
    from datetime import timedelta

    from django.utils import timezone

    from rostra.portability import post_transfer
    from rostra.portability.models import ImportJob

    job = ImportJob.objects.select_related("user__account").filter(pk=job_id).first()
    if job is None or job.options.get("stage") not in {"copying", "reporting"}:
        return
    try:
        post_transfer.run(job)
    except post_transfer.lola.RateLimited as exc:
        run_post_transfer.using(
            run_after=timezone.now() + timedelta(seconds=exc.retry_after)).enqueue(job_id)

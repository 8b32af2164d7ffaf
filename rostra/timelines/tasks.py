"""Background work of timelines: the amplification audit's retention limit."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task

log = logging.getLogger(__name__)
PURGE_EVERY = timedelta(days=1)


def retention_days() -> int:
    return max(1, int(getattr(settings, "ROSTRA_FEED_AUDIT_RETENTION_DAYS", 90)))


def purge_audit() -> tuple[int, int]:
    """Delete audit counts and replay logs older than the retention limit."""
    from rostra.timelines.feeds.audit_log import purge

    return purge(retention_days())


@task()
def purge_audit_task() -> int:
    """Purge, then come back in a day (one chain: a queued run is not doubled)."""
    try:
        counts, logs = purge_audit()
    finally:
        if not _queued(("READY",)):
            purge_audit_task.using(run_after=timezone.now() + PURGE_EVERY).enqueue()
    return counts + logs


def _queued(statuses=("READY", "RUNNING")) -> bool:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(status__in=statuses,
                                       task_path=purge_audit_task.module_path).exists()


def start_purging() -> None:
    """Run at worker start: keep one daily purge in the queue."""
    try:
        if not _queued():
            purge_audit_task.enqueue()
    except Exception:  # pragma: no cover - the worker must start anyway
        log.exception("Could not schedule the feed audit purge")

"""The background worker: django-tasks' database worker, in a thread of the web
process (embedded mode) or as its own process (``rostra worker``, at scale)."""

from __future__ import annotations

import logging
import os
import socket
import threading
from pathlib import Path

from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

logger = logging.getLogger("rostra.worker")

# Callables run when a worker starts (apps register them in ``ready``, e.g. federation
# re-enqueues the deliveries a killed worker left behind). Core imports no app.
_start_hooks: list = []
_reclaim_hooks: list = []
_own_ids: set[str] = set()  # the worker ids this process runs


def on_start(hook) -> None:
    """Run ``hook()`` whenever a worker starts (in-process or ``rostra worker``)."""
    if hook not in _start_hooks:
        _start_hooks.append(hook)


def on_reclaim(hook) -> None:
    """Call ``hook(results)`` with the task results a dead worker held, before they
    run again (e.g. federation releases the delivery leases those tasks took)."""
    if hook not in _reclaim_hooks:
        _reclaim_hooks.append(hook)


def _host() -> str:
    return socket.gethostname()[:30]


def new_worker_id() -> str:
    """``rostra#HOST#PID#RANDOM``: a later worker on the same host can tell whether
    the process that claimed a task still lives (``reclaim_orphans``)."""
    worker_id = f"rostra#{_host()}#{os.getpid()}#{get_random_string(8)}"
    _own_ids.add(worker_id)
    return worker_id


def _dead(worker_id: str) -> bool:
    """True when ``worker_id`` names a process of this host that no longer runs."""
    parts = worker_id.split("#")
    if len(parts) != 4 or parts[0] != "rostra" or parts[1] != _host() or not parts[2].isdigit():
        return False  # another host's (or an unknown) worker: not ours to judge
    pid = int(parts[2])
    if pid == os.getpid():
        return worker_id not in _own_ids  # an earlier life of this pid (a container's 1)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    try:  # a killed child its parent has not reaped yet is a zombie: dead too
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False


def reclaim_orphans() -> int:
    """Put back in the queue the tasks a dead worker of this host was running.

    django-tasks' database worker marks a task RUNNING when it takes it and never
    looks at it again: a worker killed mid-task (SIGKILL, OOM, power loss) would
    leave it RUNNING forever (an import never finished, a periodic task never
    re-queued). A worker starting on the same host finds them by the worker id
    (``new_worker_id``), runs the ``on_reclaim`` hooks, and marks them READY again:
    they run a second time, so tasks must be idempotent (they are: imports skip what
    they recorded, deliveries send only pending rows). Workers on other hosts are
    left to a worker restarted there. Returns how many tasks were reclaimed."""
    from django_tasks_db.models import DBTaskResult

    running = DBTaskResult.objects.filter(status="RUNNING").only(
        "id", "worker_ids", "task_path", "args_kwargs", "started_at")
    orphans = [r for r in running if r.worker_ids and _dead(str(r.worker_ids[-1]))]
    if not orphans:
        return 0
    for hook in _reclaim_hooks:
        try:
            hook(orphans)
        except Exception:  # pragma: no cover - the tasks are reclaimed anyway
            logger.exception("A reclaim hook failed")
    count = DBTaskResult.objects.filter(pk__in=[r.pk for r in orphans], status="RUNNING").update(
        status="READY", started_at=None)
    logger.warning("Reclaimed %d task(s) left running by a dead worker", count)
    return count


def release_own(worker_id: str) -> int:
    """Put back in the queue the tasks ``worker_id`` (alive: this process) marked
    RUNNING when an error outside the task (the database gone) stopped its loop."""
    from django_tasks_db.models import DBTaskResult

    ids = [r.pk for r in DBTaskResult.objects.filter(status="RUNNING").only("id", "worker_ids")
           if r.worker_ids and r.worker_ids[-1] == worker_id]
    return DBTaskResult.objects.filter(pk__in=ids, status="RUNNING").update(
        status="READY", started_at=None) if ids else 0


def run_resilient(run, worker_id: str, *, retry: float = 2.0, keep_going=lambda: True) -> None:
    """Call ``run()`` (a worker loop) again whenever the database fails under it.

    django-tasks' worker lets a database error escape its loop (a restart of
    PostgreSQL, a dropped connection): the worker would die, or leave its task
    RUNNING forever. Here the connection is dropped, the task is put back once the
    database answers, and the loop starts again."""
    import time

    from django.db import DatabaseError, close_old_connections, connections

    while keep_going():
        try:
            run()
            return
        except DatabaseError:
            logger.warning("The database failed under the worker; retrying in %.0f s", retry,
                           exc_info=True)
        for conn in connections.all():
            conn.close_if_unusable_or_obsolete()
            conn.close()
        time.sleep(retry)
        try:
            close_old_connections()
            release_own(worker_id)
        except DatabaseError:
            continue  # still down: the next round tries again


def run_start_hooks() -> None:
    try:
        reclaim_orphans()
    except Exception:  # pragma: no cover - a hook must not keep the worker down
        logger.exception("Reclaiming the tasks of dead workers failed")
    for hook in _start_hooks:
        try:
            hook()
        except Exception:  # pragma: no cover - a hook must not keep the worker down
            logger.exception("A worker start hook failed")


class ThreadWorker(Worker):
    """A worker that leaves signal handling to the process that hosts it."""

    def configure_signals(self) -> None:  # signals can only be set in the main thread
        pass

    def reset_signals(self) -> None:
        pass


def make_worker(*, interval: float = 1.0) -> Worker:
    return ThreadWorker(
        queue_names=["*"],
        interval=interval,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=new_worker_id(),
        excluded_queue_names=[],
    )


def start_in_thread(*, interval: float = 1.0) -> tuple[Worker, threading.Thread]:
    worker = make_worker(interval=interval)

    def run() -> None:
        try:
            run_start_hooks()
            run_resilient(worker.run, worker.worker_id, keep_going=lambda: worker.running)
        except Exception:  # pragma: no cover - logged, the web server goes on
            logger.exception("The background worker stopped")

    thread = threading.Thread(target=run, name="rostra-worker", daemon=True)
    thread.start()
    return worker, thread

"""The background worker: django-tasks' database worker, in a thread of the web
process (embedded mode) or as its own process (``rostra worker``, at scale)."""

from __future__ import annotations

import logging
import threading

from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

logger = logging.getLogger("rostra.worker")

# Callables run when a worker starts (apps register them in ``ready``, e.g. federation
# re-enqueues the deliveries a killed worker left behind). Core imports no app.
_start_hooks: list = []


def on_start(hook) -> None:
    """Run ``hook()`` whenever a worker starts (in-process or ``rostra worker``)."""
    if hook not in _start_hooks:
        _start_hooks.append(hook)


def run_start_hooks() -> None:
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
        worker_id=f"rostra-{get_random_string(12)}",
        excluded_queue_names=[],
    )


def start_in_thread(*, interval: float = 1.0) -> tuple[Worker, threading.Thread]:
    worker = make_worker(interval=interval)

    def run() -> None:
        try:
            run_start_hooks()
            worker.run()
        except Exception:  # pragma: no cover - logged, the web server goes on
            logger.exception("The background worker stopped")

    thread = threading.Thread(target=run, name="rostra-worker", daemon=True)
    thread.start()
    return worker, thread

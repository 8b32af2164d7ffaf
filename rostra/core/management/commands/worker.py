"""``rostra worker``: a background-task worker process (run N of them at scale)."""

import gc

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run background tasks (deliveries, imports, poll endings) until stopped."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--batch", action="store_true",
                            help="Run what is queued, then exit.")
        parser.add_argument("--interval", type=float, default=1.0)

    def handle(self, *args, batch: bool, interval: float, **options):
        from rostra.core.worker import new_worker_id, run_resilient, run_start_hooks

        run_start_hooks()
        # As in asgi.py: what start-up loaded lives as long as the process; keep it
        # out of the cyclic collector's full passes.
        gc.collect()
        gc.freeze()
        worker_id = new_worker_id()  # names its host and pid: see reclaim_orphans
        run_resilient(lambda: call_command(
            "db_worker", queue_name="*", interval=interval, batch=batch, reload=False,
            verbosity=options.get("verbosity", 1), worker_id=worker_id,
        ), worker_id)

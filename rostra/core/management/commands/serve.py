"""``rostra serve``: the ASGI server, with the background worker in the same process."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import uvicorn
from django.conf import settings
from django.core.management.base import BaseCommand

from rostra.core.scale import is_shared_cache
from rostra.core.worker import start_in_thread


class Command(BaseCommand):
    help = "Serve Rostra over HTTP (ASGI), with the background worker unless --no-worker."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-worker", action="store_true",
                            help="Do not run background tasks here (run `rostra worker`).")
        parser.add_argument("--workers", type=int, default=1,
                            help="Web processes (needs --no-worker when above 1).")
        parser.add_argument("--worker-interval", type=float, default=1.0,
                            help="Seconds the in-process worker waits when the queue is empty.")

    def handle(self, *args, host: str, port: int, no_worker: bool, workers: int,
               worker_interval: float = 1.0, **options):
        if workers > 1 and not no_worker:
            self.stderr.write("Use --no-worker with several web processes; run `rostra worker`.")
            return
        if workers > 1 and not is_shared_cache(settings.CACHES):
            # Rate limits, log-in throttles and the two-factor replay guard live in the
            # cache: per process, N processes would each allow the full limit.
            self.stderr.write(
                f"Warning: {workers} web processes with a per-process memory cache: rate "
                "limits and throttles count per process. Set ROSTRA_CACHE_URL to a shared "
                "Redis/Valkey (docs/deploy.md).")
        worker = None
        if not no_worker:
            worker, _ = start_in_thread(interval=worker_interval)
            self.stdout.write("Background worker started.")
        if workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            # Several processes behind one port: /metrics sums them (rostra.core.metrics).
            folder = Path(settings.BASE_DIR) / "metrics"
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)  # the processes inherit it
        self.stdout.write(f"Rostra at http://{host}:{port}/ (public address {settings.ROSTRA_SCHEME}://{settings.ROSTRA_DOMAIN})")
        try:
            uvicorn.run(
                "rostra.asgi:application",
                host=host,
                port=port,
                workers=workers,
                lifespan="off",
                log_level="info" if settings.DEBUG else "warning",
                proxy_headers=True,
            )
        finally:
            if worker is not None:
                worker.running = False

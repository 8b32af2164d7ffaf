"""Probes for load balancers and orchestrators: ``/health`` and ``/ready``, and the
door to ``/metrics``.

``ProbeMiddleware`` sits first in ``MIDDLEWARE`` and answers these three paths before
anything else runs: no host check (a load balancer probes a process by its address),
no session, CSRF, locale or log-in, no HTTPS redirect. That keeps a probe cheap and
exempt from auth, and keeps probes out of the request metrics and the access log.

* ``/health`` (liveness): the process answers; it touches no database, so a database
  outage does not make an orchestrator restart every web process.
* ``/ready`` (readiness): the database answers a query and the task queue's table is
  reachable; 200 ``{"status": "ok", ...}``, or 503 naming the check that failed (and
  why), which Django's request logger is told not to log as an error.
"""

from __future__ import annotations

import logging
import time

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.db import connections
from django.http import HttpRequest, HttpResponse, JsonResponse

logger = logging.getLogger("rostra.health")


def health(request: HttpRequest) -> HttpResponse:
    """Liveness: the process is up and serving requests."""
    return JsonResponse({"status": "ok"})


def _check_database() -> None:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_queue() -> None:
    from django_tasks_db.models import DBTaskResult

    # The cheapest query that needs the table: a missing table (migrations not run)
    # or a permission problem fails here.
    DBTaskResult.objects.only("pk").order_by().first()


CHECKS = {"database": _check_database, "queue": _check_queue}


def readiness() -> tuple[bool, dict]:
    """Run every check; (all passed, body). A failed check's error is in the body."""
    body: dict = {"status": "ok", "checks": {}}
    ok = True
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            check()
        except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
            ok = False
            body["status"] = "unavailable"
            body["checks"][name] = {"ok": False, "error": f"{exc.__class__.__name__}: {exc}"[:300]}
            body.setdefault("failed", name)
            continue
        body["checks"][name] = {"ok": True,
                                "ms": round((time.perf_counter() - started) * 1000, 1)}
    return ok, body


def ready(request: HttpRequest) -> HttpResponse:
    """Readiness: 200 when the database and the queue answer, else 503."""
    ok, body = readiness()
    response = JsonResponse(body, status=200 if ok else 503)
    if not ok:
        logger.warning("Not ready: %s failed", body.get("failed"))
        response._has_been_logged = True  # a probe's 503 is not a server error
    response["Cache-Control"] = "no-store"
    return response


def _metrics(request: HttpRequest) -> HttpResponse:
    from rostra.core.metrics import metrics_view

    return metrics_view(request)


PROBES = {"/health": health, "/ready": ready, "/metrics": _metrics}


class ProbeMiddleware:
    """Answer ``/health``, ``/ready`` and ``/metrics`` before any other middleware."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest):
        view = PROBES.get(request.path_info)
        if self.is_async:
            return self._acall(request, view)
        return view(request) if view is not None else self.get_response(request)

    async def _acall(self, request: HttpRequest, view):
        if view is None:
            return await self.get_response(request)
        if view is health:
            return health(request)
        return await sync_to_async(view, thread_sensitive=True)(request)

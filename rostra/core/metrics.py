"""Prometheus metrics at ``/metrics`` (text exposition format 0.0.4).

Two kinds of figures, kept apart because Rostra runs as many processes:

* **Per-process** (``prometheus-client``): HTTP requests by method, status class and
  route name (never the raw path: the label set stays bounded), and their latency.
  ``uvicorn --workers N`` (``rostra serve --workers N``) answers a scrape from any of
  its N processes, so set ``PROMETHEUS_MULTIPROC_DIR`` to an empty directory, made
  afresh at each start: every process then writes its counters there and a scrape
  sums them (prometheus-client's multiprocess mode). One process per address (or
  one machine per scrape target) needs nothing: scrape each.
* **Shared** (read from the database at scrape time, cached ``DB_FIGURES_TTL``
  seconds): the task queue's depth, federation deliveries pending and failed,
  unreachable servers, media-gate matches and quarantined media, open moderation
  cases. Every process reports the same values: aggregate them with ``max``, not ``sum``.

Core reads other apps' tables through ``apps.get_model`` inside functions, so it
imports no app; an app that is not installed just yields no figure.

``/metrics`` is protected: with ``ROSTRA_METRICS_TOKEN`` set, a scrape must send
``Authorization: Bearer <token>``; unset, only loopback clients are answered.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

logger = logging.getLogger("rostra.metrics")

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
DB_FIGURES_TTL = 15  # seconds: a scrape every 15 s costs one set of COUNT queries
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

disable_created_metrics()  # no ``*_created`` series: half the series, nothing lost
_REGISTRY = CollectorRegistry()
REQUESTS = Counter("rostra_http_requests", "HTTP requests answered, by method, status "
                   "class and route name.", ["method", "status", "route"], registry=_REGISTRY)
LATENCY = Histogram("rostra_http_request_duration_seconds", "Time to answer an HTTP request "
                    "(until the response starts), by method and route name.",
                    ["method", "route"], buckets=LATENCY_BUCKETS, registry=_REGISTRY)


QUEUE_WAIT = Histogram("rostra_http_queue_wait_seconds", "Time a request waited for a "
                       "place before Django ran it (rostra.core.asgi_queue).",
                       buckets=LATENCY_BUCKETS, registry=_REGISTRY)
SHED = Counter("rostra_http_requests_shed", "Requests answered 503 because they waited "
               "ROSTRA_QUEUE_TIMEOUT seconds for a place.", registry=_REGISTRY)


def observe_queue_wait(seconds: float, shed: bool) -> None:
    """Record how long a request waited in the request queue, and whether it was shed."""
    QUEUE_WAIT.observe(seconds)
    if shed:
        SHED.inc()


def observe_request(method: str, status: int, route: str, seconds: float) -> None:
    """Count one answered request and its duration."""
    method = method if method in METHODS else "other"
    REQUESTS.labels(method, f"{status // 100}xx", route).inc()
    LATENCY.labels(method, route).observe(seconds)


# --- figures read from the database ------------------------------------------------

def _model(label: str):
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def recent_delivery_failures(within: timedelta = timedelta(hours=1)) -> int:
    """Deliveries given up on (or refused for good) in the last ``within``.

    A ``Delivery`` records no time of failure; its ``next_attempt_at`` keeps the lease
    its last attempt took (the attempt's start plus about five minutes), so a failure
    within ``within`` has ``next_attempt_at`` after ``now - within``: a window a few
    minutes late, never missing a failure."""
    delivery = _model("federation.Delivery")
    if delivery is None:
        return 0
    return delivery.objects.filter(status="failed",
                                   next_attempt_at__gte=timezone.now() - within).count()


def queue_depth() -> dict[str, float]:
    """Tasks by state (``ready``: due now; ``scheduled``: later), and the age of the
    oldest due one in seconds."""
    from django_tasks_db.models import DBTaskResult  # a library's model, not an app's

    by_status = dict(DBTaskResult.objects.order_by().values_list("status")
                     .filter(status__in=["READY", "RUNNING", "FAILED"])
                     .annotate(n=Count("pk")))
    due = DBTaskResult.objects.ready()
    ready = due.count()
    oldest = due.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    return {"ready": ready, "scheduled": by_status.get("READY", 0) - ready,
            "running": by_status.get("RUNNING", 0), "failed": by_status.get("FAILED", 0),
            "oldest_seconds": (timezone.now() - oldest).total_seconds() if oldest else 0.0}


def database_figures() -> dict[str, dict[str, float]]:
    """Shared figures, ``{metric: {label value: number}}``; cached ``DB_FIGURES_TTL``."""
    cached = cache.get("rostra:metrics:db")
    if cached is not None:
        return cached
    figures: dict[str, dict[str, float]] = {"queue": queue_depth()}
    figures["queue_oldest"] = {"": figures["queue"].pop("oldest_seconds")}
    delivery = _model("federation.Delivery")
    if delivery is not None:
        figures["deliveries"] = {
            s: delivery.objects.filter(status=s).count() for s in ("pending", "failed")}
        figures["delivery_failures_hour"] = {"": recent_delivery_failures()}
    instance = _model("federation.RemoteInstance")
    if instance is not None:
        figures["unreachable"] = {
            "": instance.objects.filter(unreachable_since__isnull=False).count()}
    media = _model("posts.Media")
    if media is not None:
        figures["quarantined"] = {"": media.objects.filter(quarantined_at__isnull=False).count()}
    case = _model("moderation.Case")
    if case is not None:
        # The media gate's cases carry the matched hash-list entries as evidence.
        figures["gate_matches"] = dict(
            case.objects.filter(evidence__has_key="matches").order_by()
            .values_list("category").annotate(n=Count("pk")))
        figures["open_cases"] = dict(
            case.objects.filter(status="open").order_by()
            .values_list("category").annotate(n=Count("pk")))
    cache.set("rostra:metrics:db", figures, DB_FIGURES_TTL)
    return figures


# (key, metric name, kind, help, label name or "")
_DB_METRICS = (
    ("queue", "rostra_task_queue_tasks", "gauge",
     "Background tasks in the queue by state (ready: due now; scheduled: later).", "state"),
    ("queue_oldest", "rostra_task_queue_oldest_ready_seconds", "gauge",
     "Age of the oldest task that is due and not started (0 when none).", ""),
    ("deliveries", "rostra_federation_deliveries", "gauge",
     "Federation deliveries pending (queued or retrying) and failed (given up).", "status"),
    ("delivery_failures_hour", "rostra_federation_delivery_failures_last_hour", "gauge",
     "Federation deliveries given up on or refused in the last hour.", ""),
    ("unreachable", "rostra_federation_unreachable_servers", "gauge",
     "Remote servers marked unreachable after consecutive failures.", ""),
    ("quarantined", "rostra_media_quarantined", "gauge",
     "Media files in quarantine after a hash-list match, awaiting or after review.", ""),
    ("gate_matches", "rostra_media_gate_matches", "counter",
     "Media-gate hash-list matches (each opened a case), by case category.", "category"),
    ("open_cases", "rostra_moderation_open_cases", "gauge",
     "Moderation cases waiting for a decision, by category.", "category"),
)


class DatabaseCollector:
    """Yields the shared figures at each scrape (a failed query: no figures, logged)."""

    def collect(self):
        try:
            figures = database_figures()
        except Exception:  # noqa: BLE001 - a scrape must still show the HTTP metrics
            logger.exception("Could not read the database figures for /metrics")
            figures = {}
        for key, name, kind, text, label in _DB_METRICS:
            if key not in figures:
                continue
            family_class = CounterMetricFamily if kind == "counter" else GaugeMetricFamily
            family = family_class(name, text, labels=[label] if label else None)
            for value, number in sorted(figures[key].items()):
                family.add_metric([value] if label else [], number)
            yield family


def exposition() -> bytes:
    """The whole ``/metrics`` body: this process's (or all processes') HTTP figures,
    then the shared figures."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        http = CollectorRegistry()
        MultiProcessCollector(http)
    else:
        http = _REGISTRY
    shared = CollectorRegistry()
    shared.register(DatabaseCollector())
    return generate_latest(http) + generate_latest(shared)


def _allowed(request: HttpRequest) -> HttpResponse | None:
    """None when the scrape may proceed, else the refusal."""
    token = getattr(settings, "ROSTRA_METRICS_TOKEN", "")
    if token:
        given = request.headers.get("Authorization", "")
        scheme, _, value = given.partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(value.strip().encode(),
                                                              token.encode()):
            return None
        response = HttpResponse("A bearer token (ROSTRA_METRICS_TOKEN) is needed.\n",
                                status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    try:
        loopback = ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        loopback = False
    if loopback:
        return None
    return HttpResponse("Metrics are served to loopback clients only; set "
                        "ROSTRA_METRICS_TOKEN to scrape from elsewhere.\n",
                        status=403, content_type="text/plain")


def metrics_view(request: HttpRequest) -> HttpResponse:
    refused = _allowed(request)
    if refused is not None:
        refused._has_been_logged = True  # a refused scrape is not a server problem
        return refused
    response = HttpResponse(exposition(), content_type=CONTENT_TYPE)
    response["Cache-Control"] = "no-store"
    return response

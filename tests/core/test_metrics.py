"""`/metrics`: Prometheus text format 0.0.4, for whom may scrape it; requests by route
name, latency, and the shared figures read from the database."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from prometheus_client.parser import text_string_to_metric_families

from rostra.core import alerts
from rostra.federation.models import Delivery, OutgoingActivity, RemoteInstance
from tests.core.gate import upload_listed_image

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_figures(settings):
    settings.ROSTRA_HASH_INDEX_REFRESH = 0
    cache.clear()  # the database figures are cached for a few seconds
    yield
    cache.clear()


def scrape(client, **headers) -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics", **headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_a_client_elsewhere_is_refused_without_a_token(client):
    response = client.get("/metrics", REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 403
    assert b"ROSTRA_METRICS_TOKEN" in response.content


def test_with_a_token_set_only_its_bearer_may_scrape(client, settings):
    settings.ROSTRA_METRICS_TOKEN = "s3cret-token"
    assert client.get("/metrics").status_code == 401  # loopback is not enough then
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    ok = client.get("/metrics", REMOTE_ADDR="203.0.113.9",
                    HTTP_AUTHORIZATION="Bearer s3cret-token")
    assert ok.status_code == 200 and b"rostra_http_requests_total" in ok.content


def test_requests_are_counted_by_route_name_never_by_path(client, alice, bob):
    before = scrape(client)
    client.get("/@alice")
    client.get("/@bob")
    client.get("/no/such/page")
    client.get("/api/v1/statuses/1")
    client.get("/api/v1/statuses/2")
    after = scrape(client)
    grown = {key: n - before.get(key, 0.0) for key, n in after.items()
             if key[0] == "rostra_http_requests_total" and n != before.get(key, 0.0)}
    routes = {dict(labels)["route"]: n for (_name, labels), n in grown.items()}
    assert 2.0 in routes.values()  # one route label for both profiles
    assert routes.get("unmatched") == 1.0
    assert routes.get("api/v1/statuses/<str:status_id>") == 2.0  # an unnamed pattern
    assert not [r for r in routes if "alice" in r or "bob" in r or "/1" in r]
    statuses = {dict(labels)["status"] for (_name, labels) in grown}
    assert statuses <= {"2xx", "3xx", "4xx"} and "4xx" in statuses


def test_latency_is_a_histogram_per_route(client, alice):
    client.get("/@alice")
    samples = scrape(client)
    counts = [n for (name, labels), n in samples.items()
              if name == "rostra_http_request_duration_seconds_count"]
    buckets = [dict(labels)["le"] for (name, labels) in samples
               if name == "rostra_http_request_duration_seconds_bucket"]
    assert counts and min(counts) >= 1
    assert "0.05" in buckets and "+Inf" in buckets


def test_queue_depth_counts_ready_scheduled_and_failed_tasks(client):
    alerts.check_alerts_task.enqueue()
    alerts.check_alerts_task.using(run_after=timezone.now() + timedelta(hours=1)).enqueue()
    failed = alerts.check_alerts_task.enqueue()
    DBTaskResult.objects.filter(pk=failed.id).update(status="FAILED")
    samples = scrape(client)
    assert value(samples, "rostra_task_queue_tasks", state="ready") == 1
    assert value(samples, "rostra_task_queue_tasks", state="scheduled") == 1
    assert value(samples, "rostra_task_queue_tasks", state="failed") == 1
    assert ("rostra_task_queue_oldest_ready_seconds", ()) in samples


def _deliveries(statuses: list[str], *, at=None) -> None:
    activity = OutgoingActivity.objects.create(uri=f"https://here/a/{len(statuses)}",
                                               payload="{}")
    instance = RemoteInstance.objects.create(domain="down.example",
                                             unreachable_since=timezone.now())
    for n, status in enumerate(statuses):
        Delivery.objects.create(activity=activity, inbox_url=f"https://down.example/{n}",
                                instance=instance, status=status,
                                next_attempt_at=at or timezone.now())


def test_delivery_failures_are_read_from_the_delivery_table(client):
    _deliveries(["failed", "failed", "failed", "pending", "delivered"])
    Delivery.objects.filter(inbox_url="https://down.example/0").update(
        next_attempt_at=timezone.now() - timedelta(hours=3))  # an old failure
    samples = scrape(client)
    assert value(samples, "rostra_federation_deliveries", status="failed") == 3
    assert value(samples, "rostra_federation_deliveries", status="pending") == 1
    assert value(samples, "rostra_federation_delivery_failures_last_hour") == 2
    assert value(samples, "rostra_federation_unreachable_servers") == 1


def test_media_gate_matches_and_quarantined_media_are_counted(client, alice):
    upload_listed_image(alice, "csam", color=(1, 2, 3))
    upload_listed_image(alice, "terror", color=(4, 5, 6))
    samples = scrape(client)
    assert value(samples, "rostra_media_gate_matches_total", category="csam") == 1
    assert value(samples, "rostra_media_gate_matches_total", category="terrorism") == 1
    assert value(samples, "rostra_media_quarantined") == 2
    assert value(samples, "rostra_moderation_open_cases", category="csam") == 1


def test_database_figures_are_cached_between_close_scrapes(client, django_assert_max_num_queries):
    scrape(client)
    with django_assert_max_num_queries(0):
        scrape(client)


HIT = """
import django, os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "rostra.settings"
django.setup()
from rostra.core import metrics
metrics.observe_request("GET", 200, "web:home", 0.02)
"""
SUM = """
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
registry = CollectorRegistry()
MultiProcessCollector(registry)
print(generate_latest(registry).decode())
"""


def test_multiprocess_mode_sums_the_counts_of_every_web_process(tmp_path):
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prom"),
           "ROSTRA_DATA_DIR": str(tmp_path / "data")}
    (tmp_path / "prom").mkdir()
    for _ in range(2):  # two web processes, each answering one request
        subprocess.run([sys.executable, "-c", HIT], env=env, check=True, timeout=120)
    out = subprocess.run([sys.executable, "-c", SUM], env=env, check=True, timeout=60,
                         capture_output=True, text=True).stdout
    line = next(x for x in out.splitlines() if x.startswith("rostra_http_requests_total{"))
    assert 'route="web:home"' in line and float(line.rsplit(" ", 1)[1]) == 2.0

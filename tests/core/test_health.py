"""`/health` says the process answers; `/ready` says the database and the queue do."""

from __future__ import annotations

import logging

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult


def test_health_answers_without_touching_the_database(client):
    # No database fixture: any query here would raise pytest-django's RuntimeError.
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_probes_answer_whatever_host_a_load_balancer_uses(client, db):
    # Django would refuse this Host (not in ALLOWED_HOSTS); probes run before the check.
    for path in ("/health", "/ready"):
        assert client.get(path, HTTP_HOST="10.1.2.3:8000").status_code == 200


def test_probes_need_no_log_in_and_set_no_cookie(client, db):
    for path in ("/health", "/ready"):
        response = client.get(path)
        assert response.status_code == 200
        assert not response.cookies


def test_ready_reports_each_check(client, db):
    response = client.get("/ready")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] and body["checks"]["queue"]["ok"]
    assert response["Cache-Control"] == "no-store"


def test_ready_is_503_naming_the_queue_when_its_table_is_gone(client, db, caplog):
    table = DBTaskResult._meta.db_table
    with connection.cursor() as cursor:  # rolled back with the test's transaction
        cursor.execute(f"ALTER TABLE {table} RENAME TO rostra_gone")
    with caplog.at_level(logging.WARNING):
        response = client.get("/ready")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable" and body["failed"] == "queue"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["queue"]["ok"] is False and body["checks"]["queue"]["error"]
    # Not a server error: Django's request logger stays quiet.
    assert not [r for r in caplog.records if r.name == "django.request"]


@pytest.mark.django_db
def test_probes_are_not_counted_as_requests_nor_access_logged(client, caplog):
    with caplog.at_level(logging.INFO, logger="rostra.request"):
        client.get("/health")
        client.get("/ready")
    assert not [r for r in caplog.records if r.name == "rostra.request"]

"""Structured logs: a request id from the proxy or made here, echoed, and on every
line; one access line per request naming its route, never its path."""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys

import pytest
from asgiref.sync import async_to_sync
from django.http import HttpResponse
from django.test import RequestFactory

from rostra.core.logs import JsonFormatter, RequestIdFilter, RequestLogMiddleware


@pytest.mark.django_db
def test_the_callers_request_id_is_echoed(client):
    response = client.get("/", HTTP_X_REQUEST_ID="proxy-42.a")
    assert response["X-Request-ID"] == "proxy-42.a"


@pytest.mark.django_db
@pytest.mark.parametrize("given", [None, "two words", "x" * 200, "evil\nline"])
def test_a_request_id_is_made_when_none_or_a_malformed_one_is_given(client, given):
    headers = {} if given is None else {"HTTP_X_REQUEST_ID": given}
    response = client.get("/", **headers)
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


@pytest.mark.django_db
def test_one_access_line_names_method_route_status_and_duration(client, caplog, alice):
    with caplog.at_level(logging.INFO, logger="rostra.request"):
        response = client.get("/@alice", HTTP_X_REQUEST_ID="rid-1")
    lines = [r for r in caplog.records if r.name == "rostra.request"]
    assert len(lines) == 1
    line = lines[0]
    assert (line.method, line.status, line.request_id) == ("GET", response.status_code, "rid-1")
    assert line.route != "unmatched" and "alice" not in line.route
    assert "alice" not in line.getMessage()  # the route's name, not the path
    assert line.duration_ms >= 0


@pytest.mark.django_db
def test_an_unknown_path_is_logged_as_unmatched(client, caplog):
    with caplog.at_level(logging.INFO, logger="rostra.request"):
        client.get("/no/such/page/for-anyone")
    (line,) = [r for r in caplog.records if r.name == "rostra.request"]
    assert line.route == "unmatched" and line.status == 404


def _capture():
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("rostra.test.inside")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    return logger, handler, records


def test_every_line_logged_during_a_request_carries_its_id():
    logger, handler, records = _capture()

    def view(request):
        logger.info("working on it")
        return HttpResponse("ok")

    try:
        RequestLogMiddleware(view)(RequestFactory().get("/", HTTP_X_REQUEST_ID="abc"))
        logger.info("after the request")
    finally:
        logger.removeHandler(handler)
    assert [(r.getMessage(), r.request_id) for r in records] == [
        ("working on it", "abc"), ("after the request", "")]


def test_the_async_middleware_carries_the_id_too():
    logger, handler, records = _capture()

    async def view(request):
        logger.info("async work")
        return HttpResponse("ok")

    try:
        response = async_to_sync(RequestLogMiddleware(view))(
            RequestFactory().get("/", HTTP_X_REQUEST_ID="async-id"))
    finally:
        logger.removeHandler(handler)
    assert response["X-Request-ID"] == "async-id"
    assert [r.request_id for r in records] == ["async-id"]


def test_json_lines_hold_the_request_fields_and_the_traceback():
    record = logging.LogRecord("rostra.request", logging.INFO, __file__, 1,
                               "%s %s", ("GET", "web:home"), None)
    record.request_id, record.route, record.status, record.duration_ms = "r1", "web:home", 200, 3.2
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "GET web:home" and entry["level"] == "INFO"
    assert (entry["request_id"], entry["route"], entry["status"], entry["duration_ms"]) == (
        "r1", "web:home", 200, 3.2)
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        failed = logging.LogRecord("rostra", logging.ERROR, __file__, 1, "failed", (),
                                   sys.exc_info())
    assert "RuntimeError: boom" in json.loads(JsonFormatter().format(failed))["exc"]


def _rostra(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rostra.cli", *args], capture_output=True,
                          text=True, timeout=120, env={**os.environ, **env})


def test_rostra_log_format_json_makes_every_line_json(tmp_path):
    done = _rostra({"ROSTRA_LOG_FORMAT": "json", "ROSTRA_DATA_DIR": str(tmp_path)},
                   "manage", "shell", "-c",
                   "import logging; logging.getLogger('rostra.x').warning('hello %s', 'you')")
    assert done.returncode == 0, done.stderr
    entry = json.loads(done.stderr.strip().splitlines()[-1])
    assert entry["message"] == "hello you" and entry["logger"] == "rostra.x"


def test_an_unknown_log_format_is_refused_clearly(tmp_path):
    done = _rostra({"ROSTRA_LOG_FORMAT": "xml", "ROSTRA_DATA_DIR": str(tmp_path)},
                   "manage", "check")
    assert done.returncode != 0
    assert "ROSTRA_LOG_FORMAT must be one of text, json" in done.stderr

"""Structured logs: one line per request, and a request id on every line it causes.

``ROSTRA_LOG_FORMAT=json`` makes every log line one JSON object (for a log shipper:
Loki, Elasticsearch, journald's JSON export); ``text`` (the default, for ``make run``)
keeps lines readable. ``RequestLogMiddleware`` takes the request id from the
``X-Request-ID`` header (what a reverse proxy set, so its log and ours join up) or
makes one, echoes it in the response's ``X-Request-ID``, and logs the method, the
route's name (never the raw path: no personal data, and a bounded set of values),
the status and the duration to the ``rostra.request`` logger.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import time
import uuid
from datetime import UTC, datetime

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest

FORMATS = ("text", "json")
HEADER = "X-Request-ID"
_VALID_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")  # nothing that could forge a log line

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("rostra_request_id",
                                                                 default="")
access_log = logging.getLogger("rostra.request")

# Attributes every LogRecord has; anything else was passed as ``extra=`` and is kept.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


def route_name(request: HttpRequest) -> str:
    """The name of the URL pattern that answered (``web:home``), its pattern when it
    has no name (``api/v1/statuses/<str:status_id>``), or ``unmatched``: a label with
    few values, unlike the path."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"
    if match.url_name:
        return match.view_name
    return match.route or match.view_name or "unnamed"


def incoming_id(request: HttpRequest) -> str:
    """The caller's request id when it is well-formed, else a new one."""
    given = request.headers.get(HEADER, "")
    return given if _VALID_ID.match(given) else uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Put the current request's id (or "") on every record, as ``request_id``."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, the
    record's ``extra`` fields and, after an exception, its traceback."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_") and value not in ("", None):
                entry[key] = value if isinstance(value, (str, int, float, bool)) else str(value)
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """``time level logger message``, with the request id when there is one."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        rid = getattr(record, "request_id", "")
        return f"{line} [{rid}]" if rid else line


def logging_config(fmt: str) -> dict:
    """Django's ``LOGGING`` for ``fmt`` (``text`` or ``json``); raises ValueError."""
    if fmt not in FORMATS:
        raise ValueError(f"ROSTRA_LOG_FORMAT must be one of {', '.join(FORMATS)}, not {fmt!r}")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"text": {"()": TextFormatter}, "json": {"()": JsonFormatter}},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": fmt,
                                 "filters": ["request_id"]}},
        "root": {"handlers": ["console"], "level": "WARNING"},
        "loggers": {"rostra": {"level": "INFO"}},
    }


class RequestLogMiddleware:
    """Give each request an id, echo it, log one line when the response is ready,
    and count it in the request metrics (``rostra.core.metrics``)."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest):
        if self.is_async:
            return self._acall(request)
        token, started = self._start(request)
        try:
            response = self.get_response(request)
            return self._finish(request, response, started)
        finally:
            request_id.reset(token)

    async def _acall(self, request: HttpRequest):
        token, started = self._start(request)
        try:
            response = await self.get_response(request)
            return self._finish(request, response, started)
        finally:
            request_id.reset(token)

    def _start(self, request: HttpRequest):
        request.request_id = incoming_id(request)
        return request_id.set(request.request_id), time.perf_counter()

    def _finish(self, request: HttpRequest, response, started: float):
        # The one timing of a request: the log line and the Prometheus figures share it.
        # (imported here: settings import this module, before Django is set up)
        from rostra.core.metrics import observe_request

        duration = time.perf_counter() - started
        response[HEADER] = request.request_id
        route = route_name(request)
        status = response.status_code
        observe_request(request.method, status, route, duration)
        access_log.log(
            logging.WARNING if status >= 500 else logging.INFO,
            "%s %s %s %.1fms", request.method, route, status, duration * 1000,
            extra={"request_id": request.request_id, "method": request.method,
                   "route": route, "status": status,
                   "duration_ms": round(duration * 1000, 2)},
        )
        return response

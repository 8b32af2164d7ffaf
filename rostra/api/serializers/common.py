"""Formats shared by the entity serializers: timestamps and absolute URLs."""

from __future__ import annotations

from datetime import UTC, datetime

from rostra.core.links import absolute_url


def iso(value: datetime | None) -> str | None:
    """Mastodon's timestamp form: UTC, milliseconds, ``Z``."""
    if value is None:
        return None
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def file_url(field) -> str | None:
    """The absolute URL of a stored file (None when the field is empty)."""
    if not field:
        return None
    url = field.url
    return absolute_url(url) if url.startswith("/") else url

"""Small pieces every converter shares: timestamps, absolute links in HTML, files."""

from __future__ import annotations

import mimetypes
import re
from datetime import UTC, datetime

from rostra.federation import uris

_RELATIVE_HREF = re.compile(r'(href|src)="(/[^/"][^"]*)"')


def iso(moment: datetime | None) -> str | None:
    """``2024-05-01T12:00:00Z`` (second precision, UTC), as Mastodon writes times."""
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def absolute_html(html: str) -> str:
    """Turn our relative links (``/tags/x``) into absolute ones: HTML travels."""
    origin = uris.origin()
    return _RELATIVE_HREF.sub(lambda m: f'{m.group(1)}="{origin}{m.group(2)}"', html)


def file_url(field) -> str | None:
    """The absolute URL of a stored file, or None when empty."""
    if not field:
        return None
    return uris.media_url(field.url)


def image(field) -> dict | None:
    url = file_url(field)
    if url is None:
        return None
    media_type = mimetypes.guess_type(field.name)[0] or "image/jpeg"
    return {"type": "Image", "mediaType": media_type, "url": url}

"""Expanding X's ``t.co`` short links where the archive gives no expansion.

Posts carry their expansions in the archive (``entities.urls``); the profile's
website and the links in its bio do not. ``t.co`` answers a plain request with a
redirect to the real address, so one request per link, through ``core.net`` (the
SSRF-guarded door) and without following the redirect, reads it from ``Location``.
A link that cannot be expanded (no network, an error, no redirect) is kept as is.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from rostra.core import net

SHORTENER_HOSTS = frozenset({"t.co"})
_LINK = re.compile(r"https?://[^\s<>\"']+")
TIMEOUT = 5.0


def is_short_link(url: str) -> bool:
    try:
        return (urlsplit(url).hostname or "").lower() in SHORTENER_HOSTS
    except ValueError:
        return False


def expand(url: str) -> str:
    """Where the short link ``url`` leads, or ``url`` itself when that is unknown."""
    if not is_short_link(url):
        return url
    try:
        response = net.fetch(url, accept="text/html", max_bytes=64 * 1024, timeout=TIMEOUT,
                             follow_redirects=False)
    except net.NetError:
        return url
    location = response.headers.get("location") or ""
    if response.status not in (301, 302, 303, 307, 308) or not location:
        return url
    target = urljoin(url, location)
    return target if urlsplit(target).scheme in ("http", "https") else url


def expand_in(text: str) -> str:
    """``text`` with each short link in it expanded (at most 20 requests)."""
    links = list(dict.fromkeys(m.group(0) for m in _LINK.finditer(text)
                               if is_short_link(m.group(0))))[:20]
    for link in links:
        text = text.replace(link, expand(link))
    return text

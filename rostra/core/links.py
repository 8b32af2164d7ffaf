"""Absolute URLs of this server, built from ROSTRA_DOMAIN (not from the request),
and the shapes of its account and post paths (web pages and ActivityPub ids)."""

from __future__ import annotations

import re

from django.conf import settings

_ACCOUNT_PATH = re.compile(r"^/(?:users/|@)([A-Za-z0-9_]+)/?$")
_POST_PATH = re.compile(r"^/(?:users/([A-Za-z0-9_]+)/statuses/|@([A-Za-z0-9_]+)/)(\d{1,19})/?$")


def absolute_url(path: str) -> str:
    return f"{settings.ROSTRA_SCHEME}://{settings.ROSTRA_DOMAIN}{path}"


def account_path_username(path: str) -> str | None:
    """The username in an account path (``/users/alice``, ``/@alice``), or None."""
    match = _ACCOUNT_PATH.match(path)
    return match[1] if match else None


def post_path_ref(path: str) -> tuple[str, int] | None:
    """(username, post id) of a post path (``/users/alice/statuses/1``, ``/@alice/1``)."""
    match = _POST_PATH.match(path)
    return (match[1] or match[2], int(match[3])) if match else None

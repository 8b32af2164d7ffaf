"""Absolute URLs of this server, built from ROSTRA_DOMAIN (not from the request)."""

from django.conf import settings


def absolute_url(path: str) -> str:
    return f"{settings.ROSTRA_SCHEME}://{settings.ROSTRA_DOMAIN}{path}"

"""Mastodon's Tag entity (hashtags in statuses and in search)."""

from __future__ import annotations

from rostra.core.links import absolute_url


def tag_url(name: str) -> str:
    return absolute_url(f"/tags/{name.lower()}")


def serialize_tag(tag) -> dict:
    """``tag`` is a ``posts.models.Tag``. ``history`` (uses per day) is not tracked."""
    return {"name": tag.display_name or tag.name, "url": tag_url(tag.name), "history": []}

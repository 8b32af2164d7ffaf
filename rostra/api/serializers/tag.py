"""Mastodon's Tag entity (hashtags in search and trends), with ``history``: the
uses per day of the last week (``timelines.trends.tag_history``)."""

from __future__ import annotations

from rostra.core.links import absolute_url
from rostra.timelines.trends import tag_history


def tag_url(name: str) -> str:
    return absolute_url(f"/tags/{name.lower()}")


def serialize_tag(tag, history: list[dict] | None = None) -> dict:
    """``tag`` is a ``posts.models.Tag``; ``history`` is computed when not given."""
    if history is None:
        history = tag_history([tag])[tag.pk]
    return {"name": tag.display_name or tag.name, "url": tag_url(tag.name), "history": history}


def serialize_tags(tags) -> list[dict]:
    """Several tags, their histories read in one query."""
    tags = list(tags)
    histories = tag_history(tags) if tags else {}
    return [serialize_tag(t, histories[t.pk]) for t in tags]

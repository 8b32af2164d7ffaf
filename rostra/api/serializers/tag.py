"""Mastodon's Tag entity (hashtags in search, trends and ``/api/v1/tags``), with
``history``: the uses per day of the last week (``timelines.trends.tag_history``),
and ``following`` when a signed-in reader is known."""

from __future__ import annotations

from rostra.core.links import absolute_url
from rostra.timelines.followed_tags import following
from rostra.timelines.trends import tag_history


def tag_url(name: str) -> str:
    return absolute_url(f"/tags/{name.lower()}")


def serialize_tag(tag, history: list[dict] | None = None,
                  followed: bool | None = None) -> dict:
    """``tag`` is a ``posts.models.Tag`` (unsaved for a name no post carried yet);
    ``history`` is computed when not given; ``followed`` is the reader's
    ``following`` (left out for an anonymous reader, as Mastodon does)."""
    if history is None:
        history = tag_history([tag])[tag.pk]
    data = {"name": tag.display_name or tag.name, "url": tag_url(tag.name), "history": history}
    if followed is not None:
        data["following"] = followed
    return data


def serialize_tags(tags, viewer=None) -> list[dict]:
    """Several tags, their histories (and ``viewer``'s follows) read in one query each."""
    tags = list(tags)
    histories = tag_history(tags) if tags else {}
    followed = following(viewer, tags) if viewer is not None else None
    return [serialize_tag(t, histories[t.pk], None if followed is None else t.pk in followed)
            for t in tags]

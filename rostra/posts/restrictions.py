"""Moderators' measures on a post, and their exact undoing.

Moderation (above posts) decides; this module is the only writer of the fields
the measures set. ``restrict`` returns what the fields held before, so that an
appeal that reverses the decision puts back exactly that (``restore``). A removed
post is kept, hidden from everyone (``posts.visibility``), for the appeal period.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from rostra.posts import events
from rostra.posts.models import Post

FIELDS = ("removed_at", "demoted", "age_restricted", "interactions_restricted", "label",
          "sensitive")


def plain(value):
    """A field's value as JSON keeps it (datetimes as ISO 8601)."""
    return value.isoformat() if isinstance(value, datetime) else value


def _parse(name: str, value):
    if name == "removed_at" and isinstance(value, str):
        return datetime.fromisoformat(value)
    return value


def restrict(post: Post, **changes) -> dict:
    """Set the measures in ``changes`` (``removed=True`` stands for ``removed_at``)
    on ``post``; return the previous values of the fields it changed (JSON-able)."""
    if changes.pop("removed", False):
        changes["removed_at"] = post.removed_at or timezone.now()
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise ValueError(f"Not a measure on a post: {', '.join(sorted(unknown))}")
    before = {name: plain(getattr(post, name)) for name in changes}
    _write(post, changes)
    return before


def restore(post: Post, before: dict) -> None:
    """Put back the values ``restrict`` returned."""
    _write(post, {name: _parse(name, value) for name, value in before.items()
                  if name in FIELDS})


def _write(post: Post, values: dict) -> None:
    was_removed = post.removed_at is not None
    with transaction.atomic():
        Post.objects.filter(pk=post.pk).update(**values)
        for name, value in values.items():
            setattr(post, name, value)
    removed = post.removed_at is not None
    if removed != was_removed:
        signal = events.post_removed if removed else events.post_restored
        transaction.on_commit(lambda: signal.send(Post, post=post))

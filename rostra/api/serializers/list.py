"""Mastodon's List entity."""

from __future__ import annotations


def serialize_list(lst) -> dict:
    return {"id": str(lst.pk), "title": lst.title, "replies_policy": lst.replies_policy,
            "exclusive": lst.exclusive}

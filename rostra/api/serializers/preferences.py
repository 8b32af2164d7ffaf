"""Mastodon's Preferences entity, from the user's settings."""

from __future__ import annotations


def serialize_preferences(user) -> dict:
    return {
        "posting:default:visibility": user.default_visibility or "public",
        "posting:default:sensitive": bool(user.default_sensitive),
        "posting:default:language": user.locale or None,
        # Rostra has no per-user reading preferences: Mastodon's defaults.
        "reading:expand:media": "default",
        "reading:expand:spoilers": False,
    }

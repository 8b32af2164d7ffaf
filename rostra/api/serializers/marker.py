"""Mastodon's Marker entity (home and notifications read positions)."""

from __future__ import annotations

from rostra.api.serializers.common import iso


def serialize_marker(marker) -> dict:
    return {"last_read_id": str(marker.last_read_id), "version": marker.version,
            "updated_at": iso(marker.updated_at)}


def serialize_markers(markers: dict) -> dict:
    return {name: serialize_marker(marker) for name, marker in markers.items()}

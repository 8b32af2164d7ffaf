"""Mastodon's ScheduledStatus entity."""

from __future__ import annotations

from rostra.api.serializers.common import iso
from rostra.api.serializers.media import serialize_media
from rostra.posts.models import ScheduledPost


def serialize_scheduled_status(scheduled: ScheduledPost) -> dict:
    p = scheduled.params
    poll = p.get("poll")
    return {
        "id": str(scheduled.pk),
        "scheduled_at": iso(scheduled.scheduled_at),
        "params": {
            "text": p.get("text", ""),
            "poll": {**poll, "expires_in": str(poll["expires_in"])} if poll else None,
            "media_ids": [str(i) for i in p.get("media_ids") or []] or None,
            "sensitive": p.get("sensitive", False),
            "spoiler_text": p.get("spoiler_text") or None,
            "visibility": p.get("visibility"),
            "in_reply_to_id": str(p["in_reply_to_id"]) if p.get("in_reply_to_id") else None,
            "language": p.get("language") or None,
            "application_id": None,
            "scheduled_at": None,
            "idempotency": None,
            "with_rate_limit": False,
        },
        "media_attachments": [serialize_media(m) for m in scheduled.media.all()],
    }

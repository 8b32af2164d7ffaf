"""Mastodon's MediaAttachment entity."""

from __future__ import annotations

from rostra.api.serializers.common import file_url
from rostra.core.images import THUMBNAIL_SIZE
from rostra.posts.models import Media


def _meta(width: int | None, height: int | None) -> dict | None:
    if not width or not height:
        return None
    return {"width": width, "height": height, "size": f"{width}x{height}",
            "aspect": round(width / height, 6)}


def _small_size(width: int, height: int) -> tuple[int, int]:
    """The thumbnail's size (core.images fits it into THUMBNAIL_SIZE, never upscaled)."""
    scale = min(1.0, THUMBNAIL_SIZE[0] / width, THUMBNAIL_SIZE[1] / height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def serialize_media(media: Media) -> dict:
    url = file_url(media.file) or media.remote_url or None
    meta: dict = {"focus": {"x": media.focus_x, "y": media.focus_y}}
    if media.width and media.height:
        meta["original"] = _meta(media.width, media.height)
        meta["small"] = _meta(*_small_size(media.width, media.height))
    return {
        "id": str(media.pk),
        "type": media.kind,
        "url": url,
        "preview_url": file_url(media.thumbnail) or url,
        "remote_url": media.remote_url or None,
        "preview_remote_url": None,
        "text_url": None,
        "meta": meta,
        "description": media.description or None,
        "blurhash": media.blurhash or None,
    }

"""Mastodon's MediaAttachment entity: images, videos and gifv.

A video's ``preview_url`` is its poster frame; its ``meta`` carries the fields
Mastodon documents for video and gifv (``length``, ``duration``, ``fps``, the
frame size, ``original`` with ``frame_rate``/``duration``/``bitrate``, and the
poster's size as ``small``), plus the sound's codec, rate and channels when it
has sound. ``focus`` is an image's only.

Beyond Mastodon's fields: ``ai_generated`` (true when the media is declared
AI-generated) and ``ai_source``, who declared it: ``"c2pa"`` (its Content
Credentials), ``"iptc"`` (its IPTC metadata), ``"author"`` (the uploader),
``"remote"`` (the server it came from), or null.
"""

from __future__ import annotations

from fractions import Fraction

from rostra.api.serializers.common import file_url
from rostra.core.images import THUMBNAIL_SIZE
from rostra.posts.models import Media

CHANNELS = {1: "mono", 2: "stereo"}


def _meta(width: int | None, height: int | None) -> dict | None:
    if not width or not height:
        return None
    return {"width": width, "height": height, "size": f"{width}x{height}",
            "aspect": round(width / height, 6)}


def _small_size(width: int, height: int) -> tuple[int, int]:
    """The thumbnail's size (core.images fits it into THUMBNAIL_SIZE, never upscaled)."""
    scale = min(1.0, THUMBNAIL_SIZE[0] / width, THUMBNAIL_SIZE[1] / height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def _length(seconds: float) -> str:
    """``0:01:28.65``, Mastodon's ``length``."""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{int(hours)}:{int(minutes):02d}:{secs:05.2f}"


def _video_meta(media: Media) -> dict:
    meta: dict = {}
    if media.duration is not None:
        meta["length"] = _length(media.duration)
        meta["duration"] = media.duration
    try:
        rate = Fraction(media.frame_rate) if media.frame_rate else None
    except (ValueError, ZeroDivisionError):
        rate = None
    if rate:
        meta["fps"] = round(float(rate))
    if media.width and media.height:
        meta.update(_meta(media.width, media.height))
        original = {"width": media.width, "height": media.height}
        if rate:
            original["frame_rate"] = media.frame_rate
        if media.duration is not None:
            original["duration"] = media.duration
        if media.bitrate:
            original["bitrate"] = media.bitrate
        meta["original"] = original
        meta["small"] = _meta(*_small_size(media.width, media.height))
    sound = media.meta or {}
    if sound.get("audio_codec"):
        meta["audio_encode"] = sound["audio_codec"]
        if sound.get("audio_sample_rate"):
            meta["audio_bitrate"] = f"{sound['audio_sample_rate']} Hz"
        if sound.get("audio_channels"):
            channels = sound["audio_channels"]
            meta["audio_channels"] = CHANNELS.get(channels, f"{channels} channels")
    return meta


def serialize_media(media: Media) -> dict:
    url = file_url(media.file) or media.remote_url or None
    if media.kind == Media.Kind.IMAGE:
        meta: dict = {"focus": {"x": media.focus_x, "y": media.focus_y}}
        if media.width and media.height:
            meta["original"] = _meta(media.width, media.height)
            meta["small"] = _meta(*_small_size(media.width, media.height))
        preview = file_url(media.thumbnail) or url
    else:
        meta = _video_meta(media)
        preview = file_url(media.thumbnail)  # the poster; a remote video may have none
    if not media.file:
        # Never passed this server's media gate (a remote file not fetched): apps
        # show an "unknown" attachment as a link to its origin, never inline.
        url, preview, meta = media.remote_url or None, None, {}
    return {
        "id": str(media.pk),
        "type": media.kind if media.file else "unknown",
        "url": url,
        "preview_url": preview,
        "remote_url": media.remote_url or None,
        "preview_remote_url": None,
        "text_url": None,
        "meta": meta,
        "description": media.description or None,
        "blurhash": media.blurhash or None,
        "ai_generated": bool(media.ai_generated),
        "ai_source": (media.ai_source or None) if media.ai_generated else None,
    }

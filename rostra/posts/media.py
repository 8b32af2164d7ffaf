"""Media attachments: upload (through the safety gate), alt text, focus.

An upload becomes a ``Media`` owned by the account and attached to no post; a
post then claims up to four of them. Every file passes ``safety.gate`` here, the
one place, whatever the door: an image, a video (the video and its poster frame)
or an animated GIF (the GIF and its first frame; it is stored as an MP4 "gifv").

What a file is comes from its bytes, not its name: MP4/MOV/WebM magic bytes
make a video, a GIF of several frames a gifv, anything else must be an image.
The name and declared type only choose the error a user sees when the bytes
are none of these (random bytes named ``.mp4`` are "not a video").
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.base import ContentFile

from rostra.accounts.models import Account
from rostra.core import gifv, video
from rostra.core.images import ImageError, human_size, process_image
from rostra.posts.errors import PostError
from rostra.posts.models import Media
from rostra.safety.gate import GateVerdict, inspect_media

MAX_DESCRIPTION = 1500
# A silent video up to this long is a gifv (loops, autoplays), as Mastodon makes
# silent videos; a longer silent video stays a video with controls.
GIFV_MAX_SECONDS = 60
VIDEO_SUFFIXES = (".mp4", ".m4v", ".mov", ".webm", ".mkv")


def _looks_like_video(upload) -> bool:
    name = str(getattr(upload, "name", "") or "").lower()
    content_type = str(getattr(upload, "content_type", "") or "").lower()
    return name.endswith(VIDEO_SUFFIXES) or content_type.startswith("video/")


def _read_limited(upload) -> bytes:
    """Read an uploaded file or bytes, refusing more than the size limit early.

    The limit is the video limit unless the upload says it is an image.
    """
    limit = max(settings.ROSTRA_MEDIA_MAX_BYTES, settings.ROSTRA_VIDEO_MAX_BYTES)
    content_type = str(getattr(upload, "content_type", "") or "").lower()
    if content_type.startswith("image/"):
        limit = settings.ROSTRA_MEDIA_MAX_BYTES
    if isinstance(upload, bytes | bytearray):
        data = bytes(upload)
    else:
        size = getattr(upload, "size", None)
        if size is not None and size > limit:
            raise PostError(
                f"The file is larger than the {human_size(limit)} limit.", "media"
            )
        data = upload.read(limit + 1)
    if len(data) > limit:
        raise PostError(f"The file is larger than the {human_size(limit)} limit.", "media")
    return data


def _clean_focus(focus: tuple[float, float] | None) -> tuple[float, float]:
    if focus is None:
        return 0.0, 0.0
    x, y = focus
    if not (-1.0 <= x <= 1.0 and -1.0 <= y <= 1.0):
        raise PostError("The focal point must lie between -1 and 1 on both axes.", "focus")
    return float(x), float(y)


def _gate(*files: bytes) -> GateVerdict:
    """Every file through the gate; the first verdict (the upload's) is kept."""
    verdicts = [inspect_media(data) for data in files]
    if not all(v.allowed for v in verdicts):
        raise PostError("This file cannot be published here.", "media")
    return verdicts[0]


def upload_media(
    account: Account,
    upload,
    *,
    description: str = "",
    focus: tuple[float, float] | None = None,
) -> Media:
    """Store an image, video or animated GIF for ``account`` after the safety gate.

    ``upload`` is bytes or a file (an ``UploadedFile``, a ``ContentFile`` with a
    name). Raises ``PostError`` (field ``media``, ``description`` or ``focus``)
    with a message for the user; nothing is stored then.
    """
    if len(description) > MAX_DESCRIPTION:
        raise PostError(f"Alt text is limited to {MAX_DESCRIPTION} characters.", "description")
    focus_x, focus_y = _clean_focus(focus)
    data = _read_limited(upload)
    media = Media(account=account, description=description.strip(),
                  focus_x=focus_x, focus_y=focus_y)
    try:
        if video.sniff(data) or _looks_like_video(upload):
            _fill_video(media, data, data)
        elif gifv.is_animated_gif(data):
            _fill_video(media, gifv.gif_to_mp4(data), data)
        else:
            _fill_image(media, data)
    except (ImageError, video.VideoError) as exc:
        raise PostError(str(exc), "media") from exc
    media.save()
    return media


def _fill_image(media: Media, data: bytes) -> None:
    image = process_image(data)
    verdict = _gate(data)
    media.kind, media.mime_type = Media.Kind.IMAGE, image.mime_type
    media.blurhash, media.width, media.height = image.blurhash, image.width, image.height
    media.sha256, media.md5 = verdict.sha256, verdict.md5
    media.file.save(f"original.{image.extension}", ContentFile(image.data), save=False)
    media.thumbnail.save("small.jpg", ContentFile(image.thumbnail), save=False)


def _fill_video(media: Media, data: bytes, original: bytes) -> None:
    """``data`` is the video to keep; ``original`` what was uploaded (a GIF for a gifv)."""
    clip = video.process_video(data)
    poster = process_image(clip.poster)
    verdict = _gate(original, poster.data)
    info = clip.info
    from_gif = original is not data
    silent_loop = not info.has_audio and info.duration <= GIFV_MAX_SECONDS
    media.kind = Media.Kind.GIFV if from_gif or silent_loop else Media.Kind.VIDEO
    media.mime_type, media.blurhash = clip.mime_type, poster.blurhash
    media.width, media.height = info.width, info.height
    media.duration, media.bitrate = round(info.duration, 3), info.bitrate
    media.frame_rate = f"{info.frame_rate.numerator}/{info.frame_rate.denominator}"
    media.meta = {
        "container": info.container, "video_codec": info.video_codec,
        "audio_codec": info.audio_codec, "audio_channels": info.audio_channels,
        "audio_sample_rate": info.audio_sample_rate,
        **({"source": "gif"} if from_gif else {}),
    }
    media.sha256, media.md5 = verdict.sha256, verdict.md5
    media.file.save(f"original.{clip.extension}", ContentFile(clip.data), save=False)
    media.thumbnail.save("small.jpg", ContentFile(poster.thumbnail), save=False)


def update_media(
    account: Account,
    media: Media,
    *,
    description: str | None = None,
    focus: tuple[float, float] | None = None,
) -> Media:
    if media.account_id != account.pk:
        raise PostError("This media file is not yours.", "media")
    if description is not None:
        if len(description) > MAX_DESCRIPTION:
            raise PostError(
                f"Alt text is limited to {MAX_DESCRIPTION} characters.", "description"
            )
        media.description = description.strip()
    if focus is not None:
        media.focus_x, media.focus_y = _clean_focus(focus)
    media.save()
    return media


def discard_upload(account: Account, media: Media) -> None:
    """Delete an upload of ``account`` that no post claimed, with its files (a
    compose form that failed after some images were stored). Attached media and
    other people's uploads are left alone."""
    if media.account_id != account.pk or media.post_id is not None:
        return
    files = [f for f in (media.file, media.thumbnail) if f]
    media.delete()
    for f in files:
        f.storage.delete(f.name)

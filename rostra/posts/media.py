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
from django.utils.translation import gettext as _

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
                _("The file is larger than the %(limit)s limit.")
                % {"limit": human_size(limit)}, "media"
            )
        data = upload.read(limit + 1)
    if len(data) > limit:
        raise PostError(_("The file is larger than the %(limit)s limit.")
            % {"limit": human_size(limit)}, "media")
    return data


def _clean_focus(focus: tuple[float, float] | None) -> tuple[float, float]:
    if focus is None:
        return 0.0, 0.0
    x, y = focus
    if not (-1.0 <= x <= 1.0 and -1.0 <= y <= 1.0):
        raise PostError(_("The focal point must lie between -1 and 1 on both axes."), "focus")
    return float(x), float(y)


def _gate(original: bytes, *frames: bytes, video: bool = False) -> GateVerdict:
    """The upload through the gate (a video as a video), and any extra image (a
    poster frame) too; the upload's verdict is kept, with every match found."""
    verdict = inspect_media(original, video=video)
    for data in frames:
        verdict.matches.extend(inspect_media(data).matches)
    verdict.allowed = not verdict.matches
    return verdict


HELD = ("This image matches a list of known abusive images, so it is held for review by "
        "this server's moderators. It is not published; you will be told what they decide "
        "and how to contest it.")
REFUSED = "This file cannot be published here."


class MediaHeld(PostError):
    """The gate matched the file: it is stored quarantined (``media``) and a case
    opens; nothing shows it. For child sexual abuse material the message says no
    more than that the file cannot be published (the uploader is not tipped off)."""

    def __init__(self, media: Media, kinds: set[str]):
        super().__init__(REFUSED if "csam" in kinds else HELD, "media")
        self.media = media


def upload_media(
    account: Account,
    upload,
    *,
    description: str = "",
    focus: tuple[float, float] | None = None,
    ai_generated: bool = False,
    source: str = "upload",
    ip: str = "",
) -> Media:
    """Store an image, video or animated GIF for ``account`` after the safety gate.

    ``upload`` is bytes or a file (an ``UploadedFile``, a ``ContentFile`` with a
    name). Raises ``PostError`` (field ``media``, ``description`` or ``focus``)
    with a message for the user; nothing is stored then. A file that matches a hash
    list is stored quarantined and raises ``MediaHeld`` (``source``, ``ip``: the
    evidence of where it came from). ``ai_generated``: the author's own label.
    """
    if len(description) > MAX_DESCRIPTION:
        raise PostError(_("Alt text is limited to %(max_description)s characters.")
            % {"max_description": MAX_DESCRIPTION}, "description")
    focus_x, focus_y = _clean_focus(focus)
    data = _read_limited(upload)
    media = Media(account=account, description=description.strip(),
                  focus_x=focus_x, focus_y=focus_y)
    verdict = fill_media(media, data, video_hint=_looks_like_video(upload))
    if ai_generated and not media.ai_generated:
        media.ai_generated, media.ai_source = True, "author"
    media.save()
    if verdict.matches:
        hold(media, verdict, source=source, ip=ip)
    return media


def fill_media(media: Media, data: bytes, *, video_hint: bool = False) -> GateVerdict:
    """Make ``media`` from ``data`` (an image, a video or an animated GIF): process,
    pass the gate, read its provenance, store the files (unsaved row). Raises
    ``PostError``. Uploads and fetched remote media both come through here."""
    try:
        if video.sniff(data) or video_hint:
            verdict = _fill_video(media, data, data)
        elif gifv.is_animated_gif(data):
            verdict = _fill_video(media, gifv.gif_to_mp4(data), data)
        else:
            verdict = _fill_image(media, data)
    except (ImageError, video.VideoError) as exc:
        raise PostError(str(exc), "media") from exc
    _label_provenance(media, data)
    return verdict


def _label_provenance(media: Media, original: bytes) -> None:
    """Media its own metadata declares AI-generated (C2PA, IPTC/XMP) is labelled."""
    try:
        from rostra.safety.provenance import read_provenance
    except ImportError:  # pragma: no cover - the reader ships with the shield
        return
    found = read_provenance(original, media.mime_type)
    if found.ai_generated:
        media.ai_generated, media.ai_source = True, found.source


def hold(media: Media, verdict: GateVerdict, *, source: str, ip: str = "") -> None:
    """Quarantine ``media`` (saved) for its matches, tell moderation, and raise
    ``MediaHeld``."""
    quarantine_matched(media, verdict.matches, source=source, ip=ip)
    raise MediaHeld(media, {m.kind for m in verdict.matches})


def quarantine_matched(media: Media, matches, *, source: str, ip: str = "") -> None:
    """Quarantine ``media`` for ``matches``, hold the post that shows it, and tell
    moderation (``media_quarantined``: a case opens in the same transaction)."""
    from rostra.posts import events
    from rostra.posts.models import Post
    from rostra.posts.quarantine import quarantine

    quarantine(media)
    if media.post_id:
        Post.objects.filter(pk=media.post_id).update(held="quarantine")
    events.media_quarantined.send(Media, media=media, matches=list(matches),
                                  source=source, ip=ip)


def _store_hashes(media: Media, verdict: GateVerdict) -> None:
    media.sha256, media.md5 = verdict.sha256, verdict.md5
    media.pdq, media.pdq_quality = verdict.pdq or "", verdict.pdq_quality
    media.frame_pdqs = [list(f) for f in (verdict.frame_pdqs or [])]


def _fill_image(media: Media, data: bytes) -> GateVerdict:
    image = process_image(data)
    verdict = _gate(data)
    media.kind, media.mime_type = Media.Kind.IMAGE, image.mime_type
    media.blurhash, media.width, media.height = image.blurhash, image.width, image.height
    _store_hashes(media, verdict)
    media.file.save(f"original.{image.extension}", ContentFile(image.data), save=False)
    media.thumbnail.save("small.jpg", ContentFile(image.thumbnail), save=False)
    return verdict


def _fill_video(media: Media, data: bytes, original: bytes) -> GateVerdict:
    """``data`` is the video to keep; ``original`` what was uploaded (a GIF for a gifv)."""
    clip = video.process_video(data)
    poster = process_image(clip.poster)
    from_gif = original is not data
    verdict = _gate(original, poster.data, video=not from_gif)
    if from_gif:  # a GIF's frames: hash the MP4 made of them as a video too
        verdict.matches.extend(inspect_media(data, video=True).matches)
        verdict.allowed = not verdict.matches
    info = clip.info
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
    _store_hashes(media, verdict)
    media.file.save(f"original.{clip.extension}", ContentFile(clip.data), save=False)
    media.thumbnail.save("small.jpg", ContentFile(poster.thumbnail), save=False)
    return verdict


def update_media(
    account: Account,
    media: Media,
    *,
    description: str | None = None,
    focus: tuple[float, float] | None = None,
    ai_generated: bool | None = None,
) -> Media:
    """Change alt text, focal point or the author's own "AI-generated" label:
    ``ai_generated`` True labels the media, False withdraws the author's label
    (one its file declares, C2PA or IPTC, or its server gave, stays)."""
    if media.account_id != account.pk:
        raise PostError(_("This media file is not yours."), "media")
    if description is not None:
        if len(description) > MAX_DESCRIPTION:
            raise PostError(
                _("Alt text is limited to %(max_description)s characters.")
                    % {"max_description": MAX_DESCRIPTION}, "description"
            )
        media.description = description.strip()
    if focus is not None:
        media.focus_x, media.focus_y = _clean_focus(focus)
    if ai_generated and not media.ai_generated:
        media.ai_generated, media.ai_source = True, "author"
    elif ai_generated is False and media.ai_source == "author":
        media.ai_generated, media.ai_source = False, ""
    media.save()
    return media


def discard_upload(account: Account, media: Media) -> None:
    """Delete an upload of ``account`` that no post claimed, with its files (a
    compose form that failed after some images were stored). Attached media, other
    people's uploads and quarantined files (evidence) are left alone."""
    if media.account_id != account.pk or media.post_id is not None:
        return
    if media.quarantined_at is not None:
        return  # evidence for its case: moderation decides what becomes of it
    files = [f for f in (media.file, media.thumbnail) if f]
    media.delete()
    for f in files:
        f.storage.delete(f.name)

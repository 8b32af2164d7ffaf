"""Media attachments: upload (through the safety gate), alt text, focus.

An upload becomes a ``Media`` owned by the account and attached to no post; a
post then claims up to four of them. Every image passes ``safety.gate`` here, the
one place, whatever the door.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.base import ContentFile

from rostra.accounts.models import Account
from rostra.core.images import ImageError, human_size, process_image
from rostra.posts.errors import PostError
from rostra.posts.models import Media
from rostra.safety.gate import inspect_media

MAX_DESCRIPTION = 1500


def _read_limited(upload) -> bytes:
    """Read an uploaded file or bytes, refusing more than the size limit early."""
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


def upload_media(
    account: Account,
    upload,
    *,
    description: str = "",
    focus: tuple[float, float] | None = None,
) -> Media:
    """Store an image for ``account`` after the safety gate; raise ``PostError``."""
    if len(description) > MAX_DESCRIPTION:
        raise PostError(f"Alt text is limited to {MAX_DESCRIPTION} characters.", "description")
    focus_x, focus_y = _clean_focus(focus)
    data = _read_limited(upload)
    try:
        image = process_image(data)
    except ImageError as exc:
        raise PostError(str(exc), "media") from exc
    verdict = inspect_media(data)
    if not verdict.allowed:
        raise PostError("This file cannot be published here.", "media")
    media = Media(
        account=account,
        kind=Media.Kind.IMAGE,
        mime_type=image.mime_type,
        description=description.strip(),
        blurhash=image.blurhash,
        width=image.width,
        height=image.height,
        focus_x=focus_x,
        focus_y=focus_y,
        sha256=verdict.sha256,
        md5=verdict.md5,
    )
    media.file.save(f"original.{image.extension}", ContentFile(image.data), save=False)
    media.thumbnail.save("small.jpg", ContentFile(image.thumbnail), save=False)
    media.save()
    return media


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

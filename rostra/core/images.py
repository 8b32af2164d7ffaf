"""Safe image decoding: size and pixel limits, EXIF stripping, thumbnails, blurhash.

Everything an image upload needs before it is stored. Pillow's own
decompression-bomb guard is set from ``ROSTRA_MEDIA_MAX_PIXELS`` and turned into
an error (not a warning); an image is fully decoded once to prove it is whole.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import blurhash
from django.conf import settings
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = {
    "JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"
}
THUMBNAIL_SIZE = (640, 640)


def human_size(n: int) -> str:
    """Bytes as a person reads them: 16 MB, 500 KB, 900 bytes."""
    if n >= 1024 * 1024:
        return f"{n / 1024 / 1024:.3g} MB"
    if n >= 1024:
        return f"{n / 1024:.3g} KB"
    return f"{n} bytes"


class ImageError(ValueError):
    """An upload that is not an acceptable image; the message says why."""


@dataclass
class ProcessedImage:
    data: bytes  # re-encoded, metadata stripped
    thumbnail: bytes
    mime_type: str
    extension: str
    width: int
    height: int
    blurhash: str


def open_image(data: bytes) -> Image.Image:
    """Open and fully decode ``data`` within the size and pixel limits; raise ``ImageError``."""
    max_bytes = settings.ROSTRA_MEDIA_MAX_BYTES
    if len(data) > max_bytes:
        raise ImageError(
            f"The file is {human_size(len(data))}; the limit is {human_size(max_bytes)}."
        )
    if not data:
        raise ImageError("The file is empty.")
    Image.MAX_IMAGE_PIXELS = settings.ROSTRA_MEDIA_MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in ALLOWED_FORMATS:
                raise ImageError(
                    f"{image.format or 'This'} files are not accepted; use JPEG, PNG, GIF or WebP."
                )
            if image.width * image.height > settings.ROSTRA_MEDIA_MAX_PIXELS:
                raise ImageError(
                    f"The image is {image.width}×{image.height} pixels; the limit is "
                    f"{settings.ROSTRA_MEDIA_MAX_PIXELS:,} pixels in all."
                )
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageError("The image has too many pixels to be processed safely.") from exc
    except UnidentifiedImageError as exc:
        raise ImageError("The file is not an image Rostra can read.") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        if isinstance(exc, ImageError):
            raise
        raise ImageError("The image is damaged or truncated.") from exc
    return image


def _encode(image: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    if fmt == "JPEG":
        image.convert("RGB").save(out, "JPEG", quality=88, optimize=True)
    elif fmt == "WEBP":
        image.save(out, "WEBP", quality=88)
    else:
        image.save(out, fmt, optimize=True)
    return out.getvalue()


def process_image(data: bytes, max_side: int | None = None) -> ProcessedImage:
    """Decode ``data`` safely and return a clean copy, a thumbnail and its blurhash.

    The image is re-encoded without its metadata (EXIF, including GPS position),
    after applying the EXIF orientation. A GIF keeps its first frame (an animated
    GIF upload becomes a video: ``core.gifv``).
    Raises ``ImageError`` with a message for the user.
    """
    image = open_image(data)
    fmt = image.format or "PNG"
    image = ImageOps.exif_transpose(image)
    if image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
        image = image.convert("RGBA" if "A" in image.mode else "RGB")
    if fmt == "GIF":
        fmt = "PNG"  # the first (only) frame of a still GIF
        image = image.convert("RGBA")
    if max_side:
        image.thumbnail((max_side, max_side))
    clean = _encode(image, fmt)
    thumb_image = image.copy()
    thumb_image.thumbnail(THUMBNAIL_SIZE)
    thumbnail = _encode(thumb_image.convert("RGB"), "JPEG")
    small = image.convert("RGB")
    small.thumbnail((64, 64))
    hash_value = blurhash.encode(small, x_components=4, y_components=3)
    return ProcessedImage(
        data=clean,
        thumbnail=thumbnail,
        mime_type=ALLOWED_FORMATS[fmt],
        extension={"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}[fmt],
        width=image.width,
        height=image.height,
        blurhash=hash_value,
    )

"""Fingerprints of media: SHA-256 and MD5 of the bytes, PDQ of the pixels.

PDQ (Meta's perceptual hash, via ``pdqhash``) follows ThreatExchange's Python
reference: the image is decoded as stored (no EXIF rotation), converted to RGB
and first shrunk to fit 512×512 (Pillow's ``thumbnail``); the hash is written
as 64 hex digits in the reference's bit order. This convention reproduces the
reference hashes of ``shared/fixtures/pdq`` bit for bit, where hashing the
full-size pixels is 4-12 bits off, and is ~30 times faster on a photo.
Ignoring the EXIF orientation costs nothing: every query also carries the
image's 8 dihedral variants, and the 8 EXIF orientations are exactly those.

The dihedral variants (rotations by 90°, 180°, 270° and the 4 flips) come from
the image, never from a hash: the reference derives them from the float 16×16
DCT coefficients (sign changes and transposition), then thresholds each at its
own median. A hash alone has lost the magnitudes, so flipping its bits instead
is only an approximation (measured on the fixtures: 2-14 bits off, up to 30 on
a sharp image, 128 on a flat one), which would eat the whole match budget.
The variants are computed at hashing time, used for the query, and not stored.

Hostile input: images are opened by ``core.images.open_image`` (format list,
byte and pixel limits, decompression bombs); videos are read from memory with
the one FFmpeg demuxer their magic bytes choose, with the frame-size limit, at
most ``MAX_FRAMES`` samples and ``DECODE_BUDGET`` decoded frames per sample on
average, whatever the video's length. Data that does not decode has no PDQ
(``None`` / no frames): the caller's own decoder explains the refusal.
"""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass, field

import av
import numpy as np
import pdqhash
from django.conf import settings
from PIL import Image

from rostra.core import video as core_video
from rostra.core.images import ImageError, open_image

log = logging.getLogger(__name__)

DOWNSAMPLE = 512  # PDQ's reference shrinks images to fit this square first
MAX_FRAMES = 8  # frames sampled from a video
DECODE_BUDGET = 30  # frames decoded per sample on average, at most
SEEK_AFTER = 1.0  # seconds: a sample further ahead than this is reached by seeking


@dataclass(frozen=True)
class ImageHashes:
    sha256: str
    md5: str
    pdq: str | None = None  # 64 hex digits; None when the data is not a readable image
    pdq_quality: int | None = None  # 0-100; below 50 the hash is too weak to match
    # The 8 dihedral hashes of the image (original first, then rotate 90, 180, 270,
    # flip x, flip y, flip +1, flip -1): what is queried. Empty without a PDQ.
    dihedral: tuple[str, ...] = ()


@dataclass(frozen=True)
class VideoHashes:
    sha256: str
    md5: str
    frames: list[tuple[str, int]] = field(default_factory=list)  # (pdq, quality) in time order
    dihedral: list[tuple[str, ...]] = field(default_factory=list)  # the 8 variants per frame


def _hex(bits: np.ndarray) -> str:
    """``pdqhash``'s 256 bits (most significant first) as the reference's hex."""
    return np.packbits(bits.astype(np.uint8)).tobytes().hex()


def pdq_of(image: Image.Image) -> tuple[tuple[str, ...], int]:
    """The 8 dihedral PDQ hashes of a decoded ``image`` (original first) and its quality."""
    rgb = image.convert("RGB")
    rgb.thumbnail((DOWNSAMPLE, DOWNSAMPLE))
    vectors, quality = pdqhash.compute_dihedral(np.ascontiguousarray(np.asarray(rgb)))
    return tuple(_hex(v) for v in vectors), int(quality)


def _digests(data: bytes) -> tuple[str, str]:
    return hashlib.sha256(data).hexdigest(), hashlib.md5(data).hexdigest()


def hash_image(data: bytes) -> ImageHashes:
    """SHA-256, MD5 and PDQ (with its dihedral variants) of an image file.

    Never raises for bad image data: an unreadable, oversized or hostile image
    gets exact hashes only (``pdq`` None). A GIF is hashed by its first frame.
    """
    sha256, md5 = _digests(data)
    try:
        image = open_image(data)
    except ImageError:
        return ImageHashes(sha256, md5)
    try:
        variants, quality = pdq_of(image)
    except (OSError, ValueError) as exc:  # a mode Pillow cannot convert
        log.info("PDQ of an image failed: %s", exc)
        return ImageHashes(sha256, md5)
    return ImageHashes(sha256, md5, variants[0], quality, variants)


def hash_video(data: bytes, *, frames: int = MAX_FRAMES) -> VideoHashes:
    """SHA-256 and MD5 of a video file and the PDQ of up to ``frames`` frames taken
    at even steps from the start (the first is the poster frame).

    Never raises for bad video data: what cannot be read has no frames.
    """
    sha256, md5 = _digests(data)
    family = core_video.sniff(data)
    if family is None:
        return VideoHashes(sha256, md5)
    hashed: list[tuple[str, int]] = []
    dihedral: list[tuple[str, ...]] = []
    try:
        with av.open(io.BytesIO(data), format=core_video.FAMILIES[family][0]) as container:
            for image in _sample(container, max(1, frames)):
                variants, quality = pdq_of(image)
                hashed.append((variants[0], quality))
                dihedral.append(variants)
    except (av.FFmpegError, ValueError, OSError) as exc:
        log.info("PDQ of a video stopped: %s", exc)
    return VideoHashes(sha256, md5, hashed, dihedral)


def _duration(container, stream) -> float:
    if container.duration:
        return container.duration / av.time_base
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    return 0.0


def _sample(container, count: int):
    """Decoded frames (as images) near ``k * duration / count``.

    A time far ahead is reached by seeking to the key frame before it, a near one
    by decoding on. At most ``count * DECODE_BUDGET`` frames are decoded in all,
    each sample getting its fair share of what is left; when seeking lands no
    further than the decoding already was (key frames further apart than the
    samples), decoding simply goes on. A frame already taken is not taken twice.
    """
    if not container.streams.video:
        return
    stream = container.streams.video[0]
    stream.codec_context.options = {"max_pixels": str(settings.ROSTRA_VIDEO_MAX_PIXELS)}
    stream.codec_context.thread_count = 1
    duration = _duration(container, stream)
    times = [duration * k / count for k in range(count)] if duration else [0.0]
    budget, position, seeking = len(times) * DECODE_BUDGET, 0.0, True
    frames, taken = _decoded(container, stream), set()
    for n, when in enumerate(times):
        sought = seeking and when - position > SEEK_AFTER
        if sought:
            container.seek(int(when / stream.time_base), stream=stream, backward=True)
            frames = _decoded(container, stream)
        allowance, frame, ended = budget // (len(times) - n), None, True
        for used, frame in enumerate(frames, 1):
            if frame.time is not None:
                if sought and used == 1 and frame.time <= position:
                    seeking = False  # sparse key frames: seeking does not help here
                position = frame.time
            if frame.time is None or frame.time >= when - 1e-6 or used >= allowance:
                budget, ended = budget - used, False
                break
        if frame is not None and frame.pts not in taken:
            taken.add(frame.pts)
            yield frame.to_image()
        if ended or budget <= 0:
            return


def _decoded(container, stream):
    """Every frame that decodes from the current position (damaged packets skipped)."""
    for packet in container.demux(stream):
        try:
            yield from packet.decode()
        except av.InvalidDataError:
            continue

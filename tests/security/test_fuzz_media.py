"""Fuzz run over uploaded and fetched media (issue 11, security pass): images decoded by
Pillow, videos probed by libav, animated GIFs, each damaged at random (cut off, bytes
flipped, junk inserted, dimensions rewritten to a bomb). ``upload_media``, the one door
every file comes through, stores a whole file or raises ``PostError`` and stores
nothing: no row, no file on disk."""

from __future__ import annotations

import struct
import zlib
from functools import cache
from pathlib import Path

import pytest
from django.conf import settings
from hypothesis import given
from hypothesis import strategies as st

from rostra.core.images import ImageError, process_image
from rostra.core.video import VideoError, probe_video
from rostra.posts.errors import PostError
from rostra.posts.media import upload_media
from rostra.posts.models import Media
from tests import factories
from tests import video_samples as videos
from tests.security.fuzz import fuzz

pytestmark = pytest.mark.django_db


@cache
def _samples() -> dict[str, bytes]:
    return {
        "png": factories.image_bytes("PNG", (40, 30)),
        "jpeg": factories.image_bytes("JPEG", (40, 30)),
        "gif": factories.image_bytes("GIF", (40, 30)),
        "webp": factories.image_bytes("WEBP", (40, 30)),
        "animated-gif": videos.animated_gif(frames=3, size=(33, 25)),
        "mp4": videos.mp4(size=(32, 24), frames=4, rate=8),
        "webm": videos.webm(size=(32, 24), frames=4, rate=8),
    }


def _png_bomb(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width``×``height`` over a tiny compressed body."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body)))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\0" * 4096)) + chunk(b"IEND", b""))


@st.composite
def damaged(draw) -> bytes:
    """A real sample with a few random injuries, or a lying header, or noise."""
    kind = draw(st.sampled_from(["sample", "sample", "sample", "bomb", "noise"]))
    if kind == "bomb":
        return _png_bomb(draw(st.integers(1, 2**31 - 1)), draw(st.integers(1, 2**31 - 1)))
    if kind == "noise":
        head = draw(st.sampled_from([b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF89a",
                                     b"RIFF\0\0\0\0WEBPVP8 ", b"\0\0\0\x18ftypisom",
                                     b"\x1a\x45\xdf\xa3", b""]))
        return head + draw(st.binary(max_size=300))
    data = bytearray(_samples()[draw(st.sampled_from(sorted(_samples())))])
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        injury = draw(st.sampled_from(["cut", "flip", "insert", "zero"]))
        if injury == "cut":
            del data[at:]
        elif injury == "flip" and data:
            data[at] ^= draw(st.integers(1, 255))
        elif injury == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        elif data:
            data[at:at + 8] = b"\0" * len(data[at:at + 8])
    return bytes(data)


def _files() -> set[Path]:
    root = Path(settings.MEDIA_ROOT)
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


@fuzz(60)
@given(data=damaged())
def test_image_decoding_gives_a_clean_image_or_an_image_error(data):
    try:
        image = process_image(data)
    except ImageError as exc:
        assert str(exc)
        return
    assert image.width * image.height <= settings.ROSTRA_MEDIA_MAX_PIXELS
    assert image.data and image.thumbnail and image.blurhash


@fuzz(60)
@given(data=damaged())
def test_video_probe_gives_facts_or_a_video_error(data):
    try:
        info = probe_video(data)
    except VideoError as exc:
        assert str(exc)
        return
    assert info.width > 0 and info.height > 0 and info.duration >= 0


def test_any_damaged_upload_is_stored_whole_or_refused_leaving_nothing(alice):
    @fuzz(80)
    @given(data=damaged())
    def upload(data):
        rows, files = Media.objects.count(), _files()
        try:
            media = upload_media(alice, data)
        except PostError as exc:
            assert exc.args and str(exc.args[0])
            assert Media.objects.count() == rows
            assert _files() == files
            return
        assert media.pk and media.file and (Path(settings.MEDIA_ROOT) / media.file.name).is_file()

    upload()

"""Animated GIFs become silent looping MP4s ("gifv"), as Mastodon does.

An H.264 MP4 of an animation is a fraction of the GIF's size and plays in every
browser; the web UI loops it like a GIF. Encoding costs CPU, so it is bounded:
the GIF first passes the image guard (``core.images``: bytes, pixels, a whole
file), then its frames times their pixels are capped and its length must be
within the video limit. The MP4 then goes through ``core.video`` like any
uploaded video (probe, limits, poster).

Transparency is flattened onto white (H.264 has no alpha); odd sizes lose one
row or column (H.264 in 4:2:0 needs even sizes); frames shorter than 20 ms last
100 ms, as browsers show them.
"""

from __future__ import annotations

import io
import os
import tempfile
from fractions import Fraction

import av
from django.conf import settings
from PIL import Image

from rostra.core.images import open_image
from rostra.core.video import VideoError

GIF_MAX_FRAME_PIXELS = 300_000_000  # all frames together: 1,000 frames of 550×550
MIN_FRAME_MS, SLOW_FRAME_MS = 20, 100
MS = Fraction(1, 1000)


def is_animated_gif(data: bytes) -> bool:
    """True for a GIF of more than one frame (reads headers; errors mean no)."""
    if data[:6] not in (b"GIF87a", b"GIF89a"):
        return False
    try:
        with Image.open(io.BytesIO(data)) as image:
            return bool(getattr(image, "is_animated", False))
    except (OSError, ValueError, Image.DecompressionBombError):
        return False


def _frame_ms(image: Image.Image) -> int:
    ms = int(image.info.get("duration") or 0)
    return SLOW_FRAME_MS if ms < MIN_FRAME_MS else ms


def gif_to_mp4(data: bytes) -> bytes:
    """Encode the animated GIF ``data`` as an H.264 MP4; raise ``ImageError``/``VideoError``."""
    image = open_image(data)
    frames, width, height = image.n_frames, image.width, image.height
    if frames * width * height > GIF_MAX_FRAME_PIXELS:
        raise VideoError(
            f"The animated GIF has {frames:,} frames of {width}×{height} pixels; "
            f"at most {GIF_MAX_FRAME_PIXELS:,} pixels in all can be converted."
        )
    even = (max(2, width - width % 2), max(2, height - height % 2))
    fd, path = tempfile.mkstemp(suffix=".mp4")
    os.close(fd)
    try:
        with av.open(path, "w", format="mp4", options={"movflags": "+faststart"}) as out:
            stream = out.add_stream("libx264", rate=Fraction(1000, _frame_ms(image)))
            stream.width, stream.height = even
            stream.pix_fmt = "yuv420p"
            stream.time_base = MS
            stream.codec_context.time_base = MS
            stream.options = {"preset": "veryfast", "crf": "23"}
            stream.codec_context.thread_count = 1
            elapsed = 0
            for index in range(frames):
                image.seek(index)
                ms = _frame_ms(image)
                canvas = Image.new("RGB", image.size, "white")
                rgba = image.convert("RGBA")
                canvas.paste(rgba, mask=rgba)
                if canvas.size != even:
                    canvas = canvas.crop((0, 0, min(even[0], width), min(even[1], height)))
                    canvas = canvas.resize(even) if canvas.size != even else canvas
                frame = av.VideoFrame.from_image(canvas)
                frame.pts, frame.time_base, frame.duration = elapsed, MS, ms
                for packet in stream.encode(frame):
                    out.mux(packet)
                elapsed += ms
                if elapsed > settings.ROSTRA_VIDEO_MAX_SECONDS * 1000:
                    raise VideoError(
                        f"The animated GIF lasts over {settings.ROSTRA_VIDEO_MAX_SECONDS} "
                        "seconds, the limit for videos."
                    )
            for packet in stream.encode():
                out.mux(packet)
        with open(path, "rb") as f:
            return f.read()
    except (OSError, av.FFmpegError) as exc:
        raise VideoError("The animated GIF is damaged and cannot be converted.") from exc
    finally:
        os.unlink(path)

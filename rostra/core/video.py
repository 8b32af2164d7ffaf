"""Safe video handling: probe, limits, a clean remux and a poster frame.

Videos are not transcoded. An MP4 or QuickTime file with H.264 (and AAC) or a
WebM with VP8, VP9 or AV1 (and Opus or Vorbis) plays in every browser as it is,
so the streams are kept and only the container is rewritten: a remux, no
re-encode. The remux is also the metadata strip: container and stream tags
(title, GPS position, creation time, camera) are not copied, and only the first
video and the first audio stream are. Anything else (HEVC from phones, AVI,
Matroska with H.264) is refused with a message naming the problem: transcoding
costs minutes of CPU per upload, which a small server should not spend inside a
request.

Hostile files are stopped in layers, before anything is stored:

1. the magic bytes choose the one FFmpeg demuxer allowed to read the file (no
   format probing over FFmpeg's hundred demuxers);
2. the container's own structure is checked against the file's length: a box
   (MP4) or segment (WebM) that declares more bytes than the file holds is a
   truncated file;
3. dimensions, frame rate and duration come from the headers and are checked
   against the limits before any frame is decoded, and the decoder refuses a
   frame larger than the pixel limit (``max_pixels``) if a header lied;
4. every packet is read once by the remux: a corrupt packet, or fewer frames
   than the index declares, is a damaged file; the measured length is checked
   against the limit again;
5. the poster is the first frame that decodes; a video of which no frame
   decodes is refused.

Works on bytes in memory (the media gate hashes bytes); the remuxed file passes
through a temporary file because MP4's fast start (the index moved to the front,
so browsers can play before the download ends) rewrites the file in place.
"""

from __future__ import annotations

import io
import os
import struct
import tempfile
from dataclasses import dataclass, replace
from fractions import Fraction

import av
from django.conf import settings
from PIL import Image

from rostra.core.images import human_size

MP4, MOV, WEBM = "mp4", "mov", "webm"
# Family -> (the FFmpeg demuxer allowed, accepted video codecs, accepted audio codecs).
FAMILIES = {
    "isobmff": ("mov", {"h264"}, {"aac"}),
    "matroska": ("matroska", {"vp8", "vp9", "av1"}, {"opus", "vorbis"}),
}
MIME_TYPES = {MP4: "video/mp4", WEBM: "video/webm"}
CODEC_NAMES = {"h264": "H.264", "hevc": "HEVC (H.265)", "vp8": "VP8", "vp9": "VP9",
               "av1": "AV1", "aac": "AAC", "opus": "Opus", "vorbis": "Vorbis",
               "mp3": "MP3", "mpeg4": "MPEG-4 Part 2", "prores": "ProRes"}
ACCEPTED = ("Rostra accepts MP4 or MOV with H.264 video (and AAC sound), "
            "or WebM with VP8, VP9 or AV1 video (and Opus or Vorbis sound).")
POSTER_SEARCH_PACKETS = 300  # give up finding a decodable first frame after this many


class VideoError(ValueError):
    """An upload that is not an acceptable video; the message says why."""


@dataclass(frozen=True)
class VideoInfo:
    container: str  # mp4, mov or webm (what was uploaded)
    video_codec: str
    audio_codec: str  # "" when the video is silent
    width: int
    height: int
    frame_rate: Fraction
    duration: float  # seconds
    bitrate: int  # bits per second, all streams
    audio_channels: int = 0
    audio_sample_rate: int = 0

    @property
    def has_audio(self) -> bool:
        return bool(self.audio_codec)

    @property
    def output(self) -> str:
        """The container the video is stored in (a MOV is rewritten as MP4)."""
        return WEBM if self.container == WEBM else MP4


@dataclass
class ProcessedVideo:
    data: bytes  # remuxed: same streams, no metadata
    info: VideoInfo
    poster: bytes  # the first frame, as PNG (``core.images`` makes the JPEGs)
    mime_type: str
    extension: str


def sniff(data: bytes) -> str | None:
    """``isobmff`` (MP4, MOV), ``matroska`` (WebM) or None, from the magic bytes."""
    if len(data) >= 12 and data[4:8] in (b"ftyp", b"moov", b"mdat", b"wide", b"free"):
        return "isobmff"
    if data[:4] == b"\x1a\x45\xdf\xa3":
        return "matroska"
    return None


def _codec_name(name: str) -> str:
    return CODEC_NAMES.get(name, name.upper() or "an unknown codec")


# --- structure: declared sizes against the file's length --------------------------


def _check_isobmff(data: bytes) -> None:
    pos, kinds = 0, set()
    while pos + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if size == 1:
            if pos + 16 > len(data):
                break
            size = struct.unpack(">Q", data[pos + 8:pos + 16])[0]
        elif size == 0:
            size = len(data) - pos
        if size < 8:
            raise VideoError("The video is damaged: its structure is invalid.")
        if pos + size > len(data):
            raise VideoError(
                f"The video is truncated: its structure says {pos + size:,} bytes, "
                f"the file has {len(data):,}."
            )
        kinds.add(kind)
        pos += size
    if pos < len(data) and data[pos:].strip(b"\x00"):
        raise VideoError("The video is truncated: it ends in the middle of a box.")
    if b"moov" not in kinds:
        raise VideoError("The video is incomplete: it has no index (moov box).")


def _vint(data: bytes, pos: int, *, is_id: bool = False) -> tuple[int, int, bool]:
    """An EBML variable-length integer at ``pos``: (value, next position, unknown size)."""
    if pos >= len(data) or data[pos] == 0:
        raise VideoError("The video is damaged: its structure is invalid.")
    length = 9 - data[pos].bit_length()
    if pos + length > len(data):
        raise VideoError("The video is truncated.")
    value = int.from_bytes(data[pos:pos + length], "big")
    if not is_id:
        value &= (1 << (7 * length)) - 1
    unknown = not is_id and value == (1 << (7 * length)) - 1
    return value, pos + length, unknown


def _check_matroska(data: bytes) -> None:
    _, pos, _ = _vint(data, 0, is_id=True)  # the EBML header
    size, pos, _ = _vint(data, pos)
    pos += size
    element, pos, _ = _vint(data, pos, is_id=True)
    if element != 0x18538067:
        raise VideoError("The video is damaged: it has no Matroska segment.")
    size, pos, unknown = _vint(data, pos)
    if not unknown and pos + size > len(data):
        raise VideoError(
            f"The video is truncated: its structure says {pos + size:,} bytes, "
            f"the file has {len(data):,}."
        )


# --- probe ------------------------------------------------------------------------


def _open(data: bytes, family: str) -> av.container.InputContainer:
    try:
        return av.open(io.BytesIO(data), format=FAMILIES[family][0])
    except (av.FFmpegError, ValueError, OSError) as exc:
        raise VideoError("The file is damaged or not a video Rostra can read.") from exc


def _container_name(container, family: str) -> str:
    if family == "matroska":
        return WEBM
    brand = str(container.metadata.get("major_brand", "")).strip()
    return MOV if brand == "qt" else MP4


def _frame_rate(stream) -> Fraction | None:
    for rate in (stream.average_rate, stream.guessed_rate, stream.base_rate):
        if rate and 0 < rate < 100_000:
            return Fraction(rate)
    return None


def _check_limits(width: int, height: int, rate: Fraction | None, duration: float) -> None:
    max_pixels = settings.ROSTRA_VIDEO_MAX_PIXELS
    if width * height > max_pixels:
        raise VideoError(
            f"The video is {width}×{height} pixels; the limit is {max_pixels:,} pixels "
            "in a frame (3840×2160 is 8,294,400)."
        )
    if rate is not None and rate > settings.ROSTRA_VIDEO_MAX_FPS:
        raise VideoError(
            f"The video has {float(rate):.4g} frames per second; the limit is "
            f"{settings.ROSTRA_VIDEO_MAX_FPS}."
        )
    if duration > settings.ROSTRA_VIDEO_MAX_SECONDS:
        raise VideoError(
            f"The video lasts {duration:.0f} seconds; the limit is "
            f"{settings.ROSTRA_VIDEO_MAX_SECONDS} seconds."
        )


def _probe(data: bytes) -> tuple[VideoInfo, av.container.InputContainer]:
    max_bytes = settings.ROSTRA_VIDEO_MAX_BYTES
    if len(data) > max_bytes:
        raise VideoError(
            f"The video is {human_size(len(data))}; the limit is {human_size(max_bytes)}."
        )
    family = sniff(data)
    if family is None:
        raise VideoError(f"The file is not a video Rostra can read. {ACCEPTED}")
    (_check_isobmff if family == "isobmff" else _check_matroska)(data)
    container = _open(data, family)
    try:
        info = _describe(container, family, len(data))
    except BaseException:
        container.close()
        raise
    return info, container


def _describe(container, family: str, size: int) -> VideoInfo:
    _, video_codecs, audio_codecs = FAMILIES[family]
    if not container.streams.video:
        raise VideoError("The file holds no video track.")
    video = container.streams.video[0]
    audio = container.streams.audio[0] if container.streams.audio else None
    name = _container_name(container, family)
    if video.codec_context.name not in video_codecs:
        raise VideoError(
            f"The {name.upper()} file's video is {_codec_name(video.codec_context.name)}. "
            f"{ACCEPTED}"
        )
    if audio is not None and audio.codec_context.name not in audio_codecs:
        raise VideoError(
            f"The {name.upper()} file's sound is {_codec_name(audio.codec_context.name)}. "
            f"{ACCEPTED}"
        )
    width, height = video.codec_context.width, video.codec_context.height
    if not width or not height:
        raise VideoError("The video's dimensions cannot be read: the file is damaged.")
    rate = _frame_rate(video)
    duration = 0.0
    if container.duration:
        duration = container.duration / av.time_base
    elif video.duration and video.time_base:
        duration = float(video.duration * video.time_base)
    _check_limits(width, height, rate, duration)
    bitrate = container.bit_rate or (int(size * 8 / duration) if duration else 0)
    return VideoInfo(
        container=name, video_codec=video.codec_context.name,
        audio_codec=audio.codec_context.name if audio is not None else "",
        width=width, height=height, frame_rate=rate or Fraction(0), duration=duration,
        bitrate=int(bitrate),
        audio_channels=audio.codec_context.channels if audio is not None else 0,
        audio_sample_rate=audio.codec_context.sample_rate if audio is not None else 0,
    )


def probe_video(data: bytes) -> VideoInfo:
    """Container, codecs, size, rate, length of ``data``, checked against the limits.

    Reads headers only (no frame is decoded). Raises ``VideoError``.
    """
    info, container = _probe(data)
    container.close()
    return info


# --- remux and poster -------------------------------------------------------------


def _remux(container, info: VideoInfo) -> tuple[bytes, float]:
    """The first video and audio streams in a fresh container: (bytes, measured seconds)."""
    video = container.streams.video[0]
    streams = [video] + ([container.streams.audio[0]] if info.has_audio else [])
    options = {"movflags": "+faststart"} if info.output == MP4 else {}
    declared_frames = video.frames
    frames, end = 0, 0.0
    fd, path = tempfile.mkstemp(suffix=f".{info.output}")
    os.close(fd)
    try:
        with av.open(path, "w", format=info.output, options=options) as out:
            out.metadata.clear()
            mapping = {}
            for stream in streams:
                copy = out.add_stream_from_template(stream)
                copy.metadata.clear()
                mapping[stream.index] = copy
            for packet in container.demux(*streams):
                if packet.dts is None:  # the demuxer's end-of-stream marker
                    continue
                if packet.is_corrupt:
                    raise VideoError("The video is damaged or truncated.")
                if packet.stream.index == video.index:
                    frames += 1
                    if packet.pts is not None and packet.time_base:
                        last = packet.pts + (packet.duration or 0)
                        end = max(end, float(last * packet.time_base))
                packet.stream = mapping[packet.stream.index]
                out.mux(packet)
        with open(path, "rb") as f:
            data = f.read()
    except av.FFmpegError as exc:
        raise VideoError("The video is damaged or truncated.") from exc
    finally:
        os.unlink(path)
    if frames == 0 or (declared_frames and frames < declared_frames):
        raise VideoError("The video is truncated: frames its index lists are missing.")
    return data, end


def _poster(data: bytes, info: VideoInfo) -> tuple[bytes, int, int]:
    """The first frame that decodes, as PNG, with the size it displays at."""
    family = "matroska" if info.output == WEBM else "isobmff"
    with _open(data, family) as container:
        stream = container.streams.video[0]
        stream.codec_context.options = {"max_pixels": str(settings.ROSTRA_VIDEO_MAX_PIXELS)}
        stream.codec_context.thread_count = 1
        try:
            for n, packet in enumerate(container.demux(stream)):
                if n >= POSTER_SEARCH_PACKETS:
                    break
                try:
                    frames = packet.decode()
                except av.InvalidDataError:
                    continue
                for frame in frames:
                    if (frame.width, frame.height) != (info.width, info.height):
                        raise VideoError("The video is damaged: its frames do not match "
                                         "its declared size.")
                    image: Image.Image = frame.to_image()
                    rotation = getattr(frame, "rotation", 0) or 0
                    if rotation % 360:
                        image = image.rotate(rotation, expand=True)
                    out = io.BytesIO()
                    image.save(out, "PNG")
                    return out.getvalue(), image.width, image.height
        except av.FFmpegError as exc:
            raise VideoError("The video is damaged: no frame of it can be decoded.") from exc
    raise VideoError("The video is damaged: no frame of it can be decoded.")


def process_video(data: bytes) -> ProcessedVideo:
    """Probe, check, remux and take a poster frame of ``data``; raise ``VideoError``.

    The returned ``info`` carries the displayed width and height (a phone video
    recorded upright is stored landscape with a rotation; the poster is turned).
    """
    info, container = _probe(data)
    with container:
        clean, measured = _remux(container, info)
    _check_limits(info.width, info.height, info.frame_rate, measured)  # the real length
    if not info.duration and measured:
        info = replace(info, duration=measured,
                        bitrate=info.bitrate or int(len(data) * 8 / measured))
    poster, width, height = _poster(clean, info)
    if (width, height) != (info.width, info.height):
        info = replace(info, width=width, height=height)
    return ProcessedVideo(data=clean, info=info, poster=poster,
                          mime_type=MIME_TYPES[info.output], extension=info.output)

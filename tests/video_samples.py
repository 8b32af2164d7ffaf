"""Small real videos for tests, made with PyAV (FFmpeg's encoders, no system ffmpeg).

A few frames each: an H.264/AAC MP4, a VP9/Opus WebM, a QuickTime MOV, an
animated GIF (Pillow), and hostile ones (an MP4 whose H.264 header declares
enormous dimensions). The encoded files carry a title and a GPS position in
their metadata, so tests can prove the stored copy lost them.
"""

from __future__ import annotations

import io
import os
import struct
import tempfile
from fractions import Fraction

import av
from PIL import Image

SECRET_TITLE = "holiday at the secret place"
SECRET_PLACE = "+52.5163+013.3777/"
AUDIO_RATE = 48000


def _colour(i: int) -> tuple[int, int, int]:
    return (i * 37) % 256, (100 + i * 11) % 256, (200 - i * 23) % 256


def encode(fmt: str = "mp4", codec: str = "libx264", *, size: tuple[int, int] = (64, 48),
           frames: int = 10, rate: int = 10, audio: str | None = "aac",
           metadata: bool = True, rotation: int = 0) -> bytes:
    """A video of ``frames`` coloured frames (and silence in ``audio``), as bytes;
    ``rotation`` is the display rotation a phone records (degrees)."""
    fd, path = tempfile.mkstemp(suffix=f".{fmt}")
    os.close(fd)
    try:
        with av.open(path, "w", format=fmt) as out:
            if metadata:
                out.metadata["title"] = SECRET_TITLE
                out.metadata["location"] = SECRET_PLACE
            video = out.add_stream(codec, rate=rate)
            video.width, video.height = size
            video.pix_fmt = "yuv420p"
            if codec == "libx264":
                video.options = {"preset": "ultrafast"}
            if rotation:
                video.set_display_rotation(rotation)
            sound = out.add_stream(audio, rate=AUDIO_RATE) if audio else None
            for i in range(frames):
                frame = av.VideoFrame.from_image(Image.new("RGB", size, _colour(i)))
                for packet in video.encode(frame):
                    out.mux(packet)
            for packet in video.encode():
                out.mux(packet)
            if sound is not None:
                _silence(out, sound, seconds=frames / rate)
        with open(path, "rb") as f:
            return f.read()
    finally:
        os.unlink(path)


def _silence(out, stream, seconds: float) -> None:
    chunk = stream.codec_context.frame_size or 1024
    pts = 0
    while pts < seconds * AUDIO_RATE:
        frame = av.AudioFrame(format="fltp", layout="stereo", samples=chunk)
        for plane in frame.planes:
            plane.update(bytes(plane.buffer_size))
        frame.sample_rate, frame.pts, frame.time_base = AUDIO_RATE, pts, Fraction(1, AUDIO_RATE)
        pts += chunk
        for packet in stream.encode(frame):
            out.mux(packet)
    for packet in stream.encode():
        out.mux(packet)


def mp4(**kwargs) -> bytes:
    return encode("mp4", "libx264", **kwargs)


def webm(**kwargs) -> bytes:
    kwargs.setdefault("audio", "libopus")
    return encode("webm", "libvpx-vp9", **kwargs)


def mov(**kwargs) -> bytes:
    return encode("mov", "libx264", **kwargs)


def animated_gif(frames: int = 5, size: tuple[int, int] = (65, 49), ms: int = 100) -> bytes:
    images = [Image.new("RGB", size, _colour(i * 3)) for i in range(frames)]
    out = io.BytesIO()
    images[0].save(out, "GIF", save_all=True, append_images=images[1:], duration=ms, loop=0)
    return out.getvalue()


def decode_frames(data: bytes) -> int:
    with av.open(io.BytesIO(data)) as container:
        return sum(1 for _ in container.decode(video=0))


def tags(data: bytes) -> dict:
    """Every metadata tag of the container and its streams, merged."""
    with av.open(io.BytesIO(data)) as container:
        found = dict(container.metadata)
        for stream in container.streams:
            found.update(stream.metadata)
        return found


# --- a lying header: H.264 whose sequence parameter set declares another size ------


class _Bits:
    def __init__(self, data: bytes):
        self.bits, self.pos = "".join(f"{b:08b}" for b in data), 0

    def u(self, n: int) -> int:
        value = int(self.bits[self.pos:self.pos + n], 2)
        self.pos += n
        return value

    def ue(self) -> int:
        zeros = 0
        while self.bits[self.pos] == "0":
            zeros, self.pos = zeros + 1, self.pos + 1
        return self.u(zeros + 1) - 1


def _ue(value: int) -> str:
    bits = bin(value + 1)[2:]
    return "0" * (len(bits) - 1) + bits


def _escape(rbsp: bytes) -> bytes:
    out, zeros = bytearray(), 0
    for byte in rbsp:
        if zeros >= 2 and byte <= 3:
            out.append(3)
            zeros = 0
        out.append(byte)
        zeros = zeros + 1 if byte == 0 else 0
    return bytes(out)


def _resize_sps(nal: bytes, width: int, height: int) -> bytes:
    """The SPS ``nal`` with its picture size in macroblocks replaced (baseline profile)."""
    r = _Bits(nal[1:].replace(b"\x00\x00\x03", b"\x00\x00"))
    profile = r.u(8)
    assert profile in (66, 77, 88), "ultrafast x264 writes a baseline/main SPS"
    r.u(16)
    r.ue()  # seq_parameter_set_id
    r.ue()  # log2_max_frame_num_minus4
    poc_type = r.ue()
    assert poc_type in (0, 2)
    if poc_type == 0:
        r.ue()
    r.ue()  # max_num_ref_frames
    r.u(1)
    start = r.pos
    r.ue()
    r.ue()
    bits = r.bits[:start] + _ue(width // 16 - 1) + _ue(height // 16 - 1) + r.bits[r.pos:]
    body = bits.rstrip("0")  # up to the stop bit, then realigned
    body += "0" * (-len(body) % 8)
    return nal[:1] + _escape(bytes(int(body[i:i + 8], 2) for i in range(0, len(body), 8)))


_CONTAINERS = {b"moov": 0, b"trak": 0, b"mdia": 0, b"minf": 0, b"stbl": 0, b"stsd": 8,
               b"avc1": 78}


def _rebuild(data: bytes, avcc) -> bytes:
    out, pos = bytearray(), 0
    while pos + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[pos:pos + 8])
        payload = data[pos + 8:pos + size]
        if kind in _CONTAINERS:
            skip = _CONTAINERS[kind]
            payload = payload[:skip] + _rebuild(payload[skip:], avcc)
        elif kind == b"avcC":
            payload = avcc(payload)
        out += struct.pack(">I", 8 + len(payload)) + kind + payload
        pos += size
    return bytes(out)


def mp4_declaring(width: int, height: int) -> bytes:
    """A tiny real MP4 whose H.264 header declares ``width``×``height`` pixels.

    The index sits after the media data (no fast start), so growing the header
    shifts no sample offsets.
    """
    original = mp4(audio=None, frames=3, metadata=False)

    def avcc(payload: bytes) -> bytes:
        n = struct.unpack(">H", payload[6:8])[0]
        sps = _resize_sps(payload[8:8 + n], width, height)
        return payload[:6] + struct.pack(">H", len(sps)) + sps + payload[8 + n:]

    return _rebuild(original, avcc)

"""core.video and core.gifv on real files made by PyAV: probe, remux, poster, limits,
and hostile input (truncated, lying headers, not a video at all)."""

import io
import os
from fractions import Fraction

import av
import pytest
from PIL import Image

from rostra.core import gifv, video
from rostra.core.video import VideoError, probe_video, process_video
from tests import video_samples as samples


def test_probe_reads_an_h264_mp4_with_sound():
    info = probe_video(samples.mp4(size=(64, 48), frames=10, rate=10))
    assert (info.container, info.video_codec, info.audio_codec) == ("mp4", "h264", "aac")
    assert (info.width, info.height, info.frame_rate) == (64, 48, Fraction(10))
    assert info.duration == pytest.approx(1.0, abs=0.05)
    assert info.bitrate > 0 and info.has_audio and info.audio_channels == 2


def test_probe_reads_a_vp9_webm():
    info = probe_video(samples.webm(size=(48, 32), frames=6, rate=12))
    assert (info.container, info.video_codec, info.audio_codec) == ("webm", "vp9", "opus")
    assert (info.width, info.height) == (48, 32)
    assert info.frame_rate == Fraction(12)
    assert info.duration == pytest.approx(0.5, abs=0.05)


def test_a_silent_video_has_no_audio():
    info = probe_video(samples.mp4(audio=None))
    assert info.audio_codec == "" and not info.has_audio


def test_remux_keeps_every_frame_and_drops_the_metadata():
    original = samples.mp4(frames=10)
    assert samples.SECRET_TITLE in samples.tags(original).values()  # precondition
    clip = process_video(original)
    assert samples.decode_frames(clip.data) == 10
    assert samples.SECRET_TITLE.encode() not in clip.data
    assert b"52.5163" not in clip.data
    assert "location" not in samples.tags(clip.data)
    assert (clip.mime_type, clip.extension) == ("video/mp4", "mp4")


def test_webm_stays_webm_without_its_metadata():
    clip = process_video(samples.webm())
    assert (clip.mime_type, clip.extension) == ("video/webm", "webm")
    assert samples.SECRET_TITLE.encode() not in clip.data
    assert samples.decode_frames(clip.data) == 10


def test_mp4_is_rewritten_with_its_index_first_for_streaming():
    clip = process_video(samples.mp4())
    assert clip.data.index(b"moov") < clip.data.index(b"mdat")


def test_quicktime_h264_is_stored_as_mp4():
    original = samples.mov()
    clip = process_video(original)
    assert clip.info.container == "mov"
    assert clip.mime_type == "video/mp4"
    assert samples.decode_frames(clip.data) == 10


def test_poster_is_the_first_frame():
    clip = process_video(samples.mp4(size=(64, 48)))
    poster = Image.open(io.BytesIO(clip.poster)).convert("RGB")
    assert poster.size == (64, 48)
    expected = samples._colour(0)
    assert all(abs(a - b) < 24 for a, b in zip(poster.getpixel((32, 24)), expected, strict=True))


def test_a_phone_video_keeps_its_rotation_and_its_poster_is_upright():
    clip = process_video(samples.mp4(size=(64, 48), rotation=90))
    assert (clip.info.width, clip.info.height) == (48, 64)
    assert Image.open(io.BytesIO(clip.poster)).size == (48, 64)
    with av.open(io.BytesIO(clip.data)) as container:
        assert next(container.decode(video=0)).rotation == 90


def test_random_bytes_are_not_a_video():
    with pytest.raises(VideoError) as exc:
        process_video(os.urandom(4096))
    assert "not a video" in str(exc.value)


def test_an_image_is_not_a_video():
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, "PNG")
    with pytest.raises(VideoError):
        process_video(out.getvalue())


def test_a_truncated_mp4_is_refused_naming_the_truncation():
    data = process_video(samples.mp4()).data  # index first: the cut removes media data
    with pytest.raises(VideoError) as exc:
        process_video(data[: len(data) * 2 // 3])
    assert "truncated" in str(exc.value)


def test_an_mp4_cut_before_its_index_is_refused():
    data = samples.mp4()  # index last: the cut removes it
    with pytest.raises(VideoError) as exc:
        process_video(data[: len(data) // 2])
    assert "truncated" in str(exc.value) or "no index" in str(exc.value)


def test_a_truncated_webm_is_refused():
    data = samples.webm()
    with pytest.raises(VideoError) as exc:
        process_video(data[:-100])
    assert "truncated" in str(exc.value)


def test_a_box_declaring_more_bytes_than_the_file_is_refused():
    data = bytearray(process_video(samples.mp4()).data)
    at = data.index(b"mdat") - 4
    data[at:at + 4] = (10**9).to_bytes(4, "big")
    with pytest.raises(VideoError) as exc:
        process_video(bytes(data))
    assert f"{at + 10**9:,} bytes, the file has {len(data):,}" in str(exc.value)


def test_a_header_declaring_enormous_dimensions_is_refused_before_decoding():
    hostile = samples.mp4_declaring(8192, 8192)
    with pytest.raises(VideoError) as exc:
        process_video(hostile)
    assert "8192×8192" in str(exc.value)


def test_dimensions_over_the_limit_are_refused(settings):
    settings.ROSTRA_VIDEO_MAX_PIXELS = 32 * 32
    with pytest.raises(VideoError) as exc:
        probe_video(samples.mp4(size=(64, 48)))
    assert "64×48" in str(exc.value) and "1,024" in str(exc.value)


def test_a_video_longer_than_the_limit_is_refused(settings):
    settings.ROSTRA_VIDEO_MAX_SECONDS = 2
    with pytest.raises(VideoError) as exc:
        process_video(samples.mp4(frames=30, rate=10, audio=None))
    assert "3 seconds" in str(exc.value) and "limit is 2 seconds" in str(exc.value)


def test_a_frame_rate_over_the_limit_is_refused(settings):
    settings.ROSTRA_VIDEO_MAX_FPS = 30
    with pytest.raises(VideoError) as exc:
        probe_video(samples.mp4(rate=60, frames=6, audio=None))
    assert "60 frames per second" in str(exc.value)


def test_a_file_over_the_byte_limit_is_refused(settings):
    data = samples.mp4()
    settings.ROSTRA_VIDEO_MAX_BYTES = len(data) - 1
    with pytest.raises(VideoError) as exc:
        probe_video(data)
    assert "limit" in str(exc.value)


def test_other_codecs_are_refused_naming_the_codec():
    with pytest.raises(VideoError) as exc:
        probe_video(samples.encode("mp4", "mpeg4", audio=None))
    assert "MPEG-4 Part 2" in str(exc.value) and "H.264" in str(exc.value)


def test_matroska_with_h264_is_refused():
    with pytest.raises(VideoError) as exc:
        probe_video(samples.encode("matroska", "libx264", audio=None))
    assert "H.264" in str(exc.value) and "WebM" in str(exc.value)


def test_sniff_tells_the_families_apart():
    assert video.sniff(samples.mp4()) == "isobmff"
    assert video.sniff(samples.webm()) == "matroska"
    assert video.sniff(samples.animated_gif()) is None


def test_animated_gif_is_recognised_and_a_still_one_is_not():
    assert gifv.is_animated_gif(samples.animated_gif(frames=3))
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, "GIF")
    assert not gifv.is_animated_gif(out.getvalue())


def test_animated_gif_becomes_an_h264_mp4_of_even_size():
    mp4 = gifv.gif_to_mp4(samples.animated_gif(frames=5, size=(65, 49), ms=100))
    info = probe_video(mp4)
    assert (info.video_codec, info.audio_codec) == ("h264", "")
    assert (info.width, info.height) == (64, 48)
    assert info.duration == pytest.approx(0.5, abs=0.11)
    assert samples.decode_frames(mp4) == 5


def test_an_animated_gif_with_too_many_pixels_in_all_is_refused(monkeypatch):
    monkeypatch.setattr(gifv, "GIF_MAX_FRAME_PIXELS", 65 * 49 * 4)
    with pytest.raises(VideoError) as exc:
        gifv.gif_to_mp4(samples.animated_gif(frames=5, size=(65, 49)))
    assert "5 frames of 65×49" in str(exc.value)


def test_frames_missing_from_a_file_whose_structure_hides_the_cut_are_found():
    # The media box says "to the end of the file", so only reading the packets
    # against the index can tell that frames are missing.
    data = bytearray(process_video(samples.mp4(frames=20, audio=None)).data)
    at = data.index(b"mdat") - 4
    data[at:at + 4] = bytes(4)
    with pytest.raises(VideoError) as exc:
        process_video(bytes(data[: len(data) - 400]))
    assert "truncated" in str(exc.value)

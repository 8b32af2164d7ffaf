"""Video and animated-GIF uploads through posts.media.upload_media: what is stored,
the gate seeing the video and its poster, and refusals that store nothing."""

import hashlib
import io
import os

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from rostra.posts import media as media_module
from rostra.posts.errors import PostError
from rostra.posts.media import MediaHeld, discard_upload, upload_media
from rostra.posts.models import Media
from rostra.safety.gate import GateVerdict
from rostra.safety.matching import Match
from tests import video_samples as samples


def media_files(settings) -> list[str]:
    root = settings.MEDIA_ROOT
    return [os.path.join(d, f) for d, _, files in os.walk(root) for f in files]


def read(field) -> bytes:
    with field.open("rb") as f:
        return f.read()


def assert_nothing_stored(settings):
    assert not Media.objects.exists()
    assert media_files(settings) == []


def test_mp4_with_sound_is_stored_as_a_video(alice):
    data = samples.mp4(size=(64, 48), frames=10, rate=10)
    media = upload_media(alice, data, description=" a colour ramp ")
    assert (media.kind, media.mime_type, media.description) == ("video", "video/mp4",
                                                                 "a colour ramp")
    assert (media.width, media.height, media.frame_rate) == (64, 48, "10/1")
    assert media.duration == pytest.approx(1.0, abs=0.05)
    assert media.bitrate > 0
    assert media.meta["video_codec"] == "h264" and media.meta["audio_codec"] == "aac"
    assert media.file.name.endswith(".mp4")
    assert samples.decode_frames(read(media.file)) == 10


def test_video_metadata_is_not_stored(alice):
    media = upload_media(alice, samples.mp4())
    stored = read(media.file)
    assert samples.SECRET_TITLE.encode() not in stored and b"52.5163" not in stored


def test_poster_frame_is_a_jpeg_thumbnail_with_a_blurhash(alice):
    media = upload_media(alice, samples.mp4(size=(64, 48)))
    poster = Image.open(io.BytesIO(read(media.thumbnail)))
    assert poster.format == "JPEG" and poster.size == (64, 48)
    assert media.blurhash


def test_hashes_are_those_of_the_uploaded_video(alice):
    data = samples.mp4()
    media = upload_media(alice, data)
    assert media.sha256 == hashlib.sha256(data).hexdigest()
    assert media.md5 == hashlib.md5(data).hexdigest()


def test_webm_is_kept_as_webm(alice):
    media = upload_media(alice, samples.webm(size=(48, 32)))
    assert (media.kind, media.mime_type) == ("video", "video/webm")
    assert media.file.name.endswith(".webm")


def test_quicktime_upload_is_stored_as_mp4(alice):
    media = upload_media(alice, SimpleUploadedFile("clip.mov", samples.mov(),
                                                   content_type="video/quicktime"))
    assert media.mime_type == "video/mp4" and media.meta["container"] == "mov"


def test_a_short_silent_video_is_a_gifv(alice):
    media = upload_media(alice, samples.mp4(audio=None))
    assert media.kind == "gifv"


def test_a_long_silent_video_stays_a_video(alice, monkeypatch):
    monkeypatch.setattr(media_module, "GIFV_MAX_SECONDS", 0.5)
    assert upload_media(alice, samples.mp4(audio=None, frames=10, rate=10)).kind == "video"


def test_animated_gif_becomes_a_gifv_mp4(alice):
    gif = samples.animated_gif(frames=5, size=(65, 49))
    media = upload_media(alice, SimpleUploadedFile("cat.gif", gif, content_type="image/gif"))
    assert (media.kind, media.mime_type) == ("gifv", "video/mp4")
    assert (media.width, media.height) == (64, 48)
    assert media.meta["source"] == "gif"
    assert media.sha256 == hashlib.sha256(gif).hexdigest()
    assert samples.decode_frames(read(media.file)) == 5
    assert media.thumbnail and media.blurhash


def test_every_file_passes_the_gate_the_video_and_its_poster(alice, monkeypatch):
    seen: list[bytes] = []
    real = media_module.inspect_media

    def spy(data: bytes, **kwargs) -> GateVerdict:
        seen.append(data)
        return real(data, **kwargs)

    monkeypatch.setattr(media_module, "inspect_media", spy)
    data = samples.mp4()
    upload_media(alice, data)
    assert seen[0] == data
    assert len(seen) == 2 and Image.open(io.BytesIO(seen[1])).size == (64, 48)


def test_a_listed_poster_frame_holds_the_video(alice, monkeypatch):
    real = media_module.inspect_media
    listed = Match(list_id=1, list_name="l", kind="ncii", action="block", signal_type="pdq",
                   value="0" * 64, distance=0)

    def list_posters(data: bytes, **kwargs) -> GateVerdict:
        verdict = real(data, **kwargs)
        if data.startswith(b"\x89PNG"):  # the poster, not the video
            verdict.matches, verdict.allowed = [listed], False
        return verdict

    monkeypatch.setattr(media_module, "inspect_media", list_posters)
    with pytest.raises(MediaHeld) as exc:
        upload_media(alice, samples.mp4())
    assert "held for review" in str(exc.value)
    assert exc.value.media.quarantined_at is not None


def test_random_bytes_named_mp4_are_refused_as_not_a_video(alice, settings):
    upload = SimpleUploadedFile("clip.mp4", os.urandom(5000), content_type="video/mp4")
    with pytest.raises(PostError) as exc:
        upload_media(alice, upload)
    assert "not a video" in str(exc.value) and exc.value.field == "media"
    assert_nothing_stored(settings)


def test_random_bytes_named_mp4_in_an_import_are_refused_as_not_a_video(alice, settings):
    with pytest.raises(PostError) as exc:
        upload_media(alice, ContentFile(os.urandom(5000), name="1-abc.mp4"))
    assert "not a video" in str(exc.value)
    assert_nothing_stored(settings)


def test_truncated_video_is_refused_and_nothing_stored(alice, settings):
    data = samples.mp4()
    with pytest.raises(PostError) as exc:
        upload_media(alice, data[: len(data) // 2])
    assert "truncated" in str(exc.value) or "no index" in str(exc.value)
    assert_nothing_stored(settings)


def test_video_over_the_duration_limit_is_refused(alice, settings):
    settings.ROSTRA_VIDEO_MAX_SECONDS = 1
    with pytest.raises(PostError) as exc:
        upload_media(alice, samples.mp4(frames=25, rate=10, audio=None))
    assert "limit is 1 seconds" in str(exc.value)
    assert_nothing_stored(settings)


def test_video_over_the_size_limit_is_refused_by_its_declared_size(alice, settings):
    data = samples.mp4()
    settings.ROSTRA_VIDEO_MAX_BYTES = settings.ROSTRA_MEDIA_MAX_BYTES = len(data) - 1
    upload = SimpleUploadedFile("clip.mp4", data, content_type="video/mp4")
    with pytest.raises(PostError) as exc:
        upload_media(alice, upload)
    assert "larger than" in str(exc.value)
    assert_nothing_stored(settings)


def test_video_over_the_size_limit_but_under_the_image_limit_is_refused(alice, settings):
    data = samples.mp4()
    settings.ROSTRA_VIDEO_MAX_BYTES = len(data) - 1
    with pytest.raises(PostError) as exc:
        upload_media(alice, data)
    assert "limit" in str(exc.value)
    assert_nothing_stored(settings)


def test_enormous_declared_dimensions_are_refused(alice, settings):
    with pytest.raises(PostError) as exc:
        upload_media(alice, samples.mp4_declaring(8192, 8192))
    assert "8192×8192" in str(exc.value)
    assert_nothing_stored(settings)


def test_discarding_an_unclaimed_video_removes_the_video_and_its_poster(alice, settings):
    media = upload_media(alice, samples.mp4())
    assert len(media_files(settings)) == 2
    discard_upload(alice, media)
    assert_nothing_stored(settings)


def test_a_video_goes_alone_in_a_post(alice):
    from rostra.posts import services

    video = upload_media(alice, samples.mp4(size=(32, 32), frames=3, rate=10))
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(buffer, "PNG")
    image = upload_media(alice, buffer.getvalue())
    with pytest.raises(PostError) as refused:
        services.create_post(alice, "Both", media=[video, image])
    assert refused.value.field == "media"
    post = services.create_post(alice, "Just the video", media=[video])
    assert list(post.media.all()) == [video]

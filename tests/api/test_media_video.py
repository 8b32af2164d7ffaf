"""POST /api/v1|v2/media with videos and animated GIFs, and the MediaAttachment JSON
of a video and a gifv as Mastodon documents it."""

import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from rostra.posts.models import Media
from tests import video_samples as samples


def _upload(client, name, data, content_type, version="v2", **fields):
    upload = SimpleUploadedFile(name, data, content_type=content_type)
    return client.client.post(f"/api/{version}/media", {"file": upload, **fields},
                              headers={"Authorization": f"Bearer {client.token}"})


def test_video_upload_answers_200_with_the_video_entity(api, alice):
    data = samples.mp4(size=(64, 48), frames=10, rate=10)
    response = _upload(api(alice), "clip.mp4", data, "video/mp4", description="A ramp")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["type"] == "video"
    assert body["url"].startswith("http://localhost:8000/media/") and body["url"].endswith(".mp4")
    assert body["preview_url"].endswith(".jpg") and body["preview_url"] != body["url"]
    assert body["description"] == "A ramp" and body["blurhash"]
    meta = body["meta"]
    assert meta["original"]["width"] == 64 and meta["original"]["height"] == 48
    assert meta["original"]["frame_rate"] == "10/1"
    assert meta["original"]["duration"] == pytest.approx(1.0, abs=0.05)
    assert meta["original"]["bitrate"] > 0
    assert meta["small"] == {"width": 64, "height": 48, "size": "64x48", "aspect": 1.333333}
    assert meta["duration"] == meta["original"]["duration"] and meta["fps"] == 10
    assert meta["length"].startswith("0:00:01")
    assert (meta["size"], meta["aspect"]) == ("64x48", 1.333333)
    assert meta["audio_encode"] == "aac" and meta["audio_channels"] == "stereo"
    assert "focus" not in meta


def test_v1_upload_takes_a_webm(api, alice):
    response = _upload(api(alice), "clip.webm", samples.webm(), "video/webm", version="v1")
    assert response.status_code == 200, response.content
    assert response.json()["type"] == "video"
    assert Media.objects.get(pk=response.json()["id"]).mime_type == "video/webm"


def test_animated_gif_upload_is_a_gifv(api, alice):
    response = _upload(api(alice), "cat.gif", samples.animated_gif(), "image/gif")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["type"] == "gifv" and body["url"].endswith(".mp4")
    assert body["meta"]["original"]["width"] == 64
    assert "audio_encode" not in body["meta"]


def test_a_status_carries_its_video(api, alice):
    client = api(alice)
    media = _upload(client, "clip.mp4", samples.mp4(), "video/mp4").json()
    status = client.post("/api/v1/statuses", {"status": "Watch", "media_ids": [media["id"]]})
    assert status.status_code == 200, status.content
    attached = status.json()["media_attachments"]
    assert [(a["id"], a["type"], a["preview_url"]) for a in attached] == [
        (media["id"], "video", media["preview_url"])]


def test_hostile_video_is_422_with_the_reason_and_nothing_stored(api, alice):
    response = _upload(api(alice), "clip.mp4", os.urandom(4000), "video/mp4")
    assert response.status_code == 422
    assert "not a video" in response.content.decode()
    assert not Media.objects.exists()


def test_truncated_video_is_422(api, alice):
    data = samples.mp4()
    response = _upload(api(alice), "clip.mp4", data[: len(data) // 2], "video/mp4")
    assert response.status_code == 422
    assert not Media.objects.exists()


def test_instance_announces_the_video_limits(db, anon, settings):
    config = anon.get("/api/v2/instance").json()["configuration"]["media_attachments"]
    assert "video/mp4" in config["supported_mime_types"]
    assert "video/webm" in config["supported_mime_types"]
    assert config["video_size_limit"] == settings.ROSTRA_VIDEO_MAX_BYTES
    assert config["video_frame_rate_limit"] == settings.ROSTRA_VIDEO_MAX_FPS
    assert config["video_matrix_limit"] == settings.ROSTRA_VIDEO_MAX_PIXELS

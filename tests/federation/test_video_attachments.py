"""Video attachments over ActivityPub: what a local video looks like in a Note (as
Mastodon sends it), and remote video attachments recorded as remote media."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from rostra.accounts.models import Account
from rostra.federation import notes
from rostra.federation.serializers.note import attachment
from rostra.posts import services as posts
from rostra.posts.media import upload_media
from rostra.posts.models import Media
from tests import video_samples as samples

pytestmark = pytest.mark.django_db

BASE = "http://localhost:8000"


def test_local_video_is_a_document_with_its_poster_as_icon(alice, make_post):
    media = upload_media(alice, samples.mp4(size=(64, 48)), description="a colour ramp")
    make_post(alice, "Watch", media=[media])
    doc = attachment(media)
    assert doc["type"] == "Document" and doc["mediaType"] == "video/mp4"
    assert doc["url"].startswith(f"{BASE}/media/") and doc["url"].endswith(".mp4")
    assert doc["name"] == "a colour ramp"
    assert (doc["width"], doc["height"]) == (64, 48)
    assert doc["blurhash"] == media.blurhash
    assert doc["icon"]["type"] == "Image" and doc["icon"]["url"].endswith(".jpg")
    assert "focalPoint" not in doc


def test_gifv_is_sent_as_an_mp4_document(alice):
    media = upload_media(alice, samples.animated_gif())
    doc = attachment(media)
    assert (doc["type"], doc["mediaType"]) == ("Document", "video/mp4")


def test_note_served_over_http_carries_the_video(client, alice, make_post):
    media = upload_media(alice, samples.webm(), description="clip")
    post = make_post(alice, "Watch", media=[media])
    note = client.get(f"/users/alice/statuses/{post.pk}",
                      HTTP_ACCEPT="application/activity+json").json()
    [doc] = note["attachment"]
    assert doc["mediaType"] == "video/webm" and doc["name"] == "clip"


def test_incoming_video_attachments_keep_their_type():
    doc = {"attachment": [
        {"type": "Document", "mediaType": "video/mp4", "url": "https://r.example/a.mp4",
         "name": "a dog", "width": 640, "height": 360, "blurhash": "LEHV6nWB2yk8"},
        {"type": "Video", "url": "https://r.example/b.webm"},
        {"type": "Video", "url": {"type": "Link", "href": "https://r.example/c"}},
        {"type": "Image", "url": "https://r.example/d.png", "mediaType": "image/png"},
    ]}
    media = notes.attachments(doc, "r.example")
    assert [m.mime_type for m in media] == ["video/mp4", "video/webm", "video/mp4", "image/png"]
    assert (media[0].description, media[0].width, media[0].height) == ("a dog", 640, 360)


def test_remote_video_is_recorded_as_remote_video_media():
    dave = Account.objects.create(username="dave", domain="r.example",
                                  url="https://r.example/@dave")
    doc = {"attachment": [{"type": "Video", "url": "https://r.example/v.webm", "name": "alt"}]}
    post = posts.create_remote_post(
        dave, content_html="<p>look</p>", uri="https://r.example/notes/1", visibility="public",
        published=datetime(2025, 1, 1, tzinfo=UTC), media=notes.attachments(doc, "r.example"))
    [media] = post.media.all()
    assert (media.kind, media.remote_url, media.mime_type) == (
        Media.Kind.VIDEO, "https://r.example/v.webm", "video/webm")
    assert not media.file and media.description == "alt"

"""Videos and gifv in the server-rendered pages (no JavaScript needed), and the
compose form taking video files."""

import re
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from rostra.accounts.models import Account
from rostra.posts import media as media_service
from rostra.posts.models import Media, Post
from tests import video_samples as samples

CSS = Path(__file__).resolve().parents[2] / "rostra" / "web" / "static" / "web" / "rostra.css"


def _video_tags(html: str) -> list[str]:
    return re.findall(r"<video\b[^>]*>", html)


def test_video_is_a_video_element_with_controls_poster_and_alt_text(client, alice, make_post):
    media = media_service.upload_media(alice, samples.mp4(), description="A colour ramp")
    post = make_post(alice, "Watch", media=[media])
    html = client.get(f"/@alice/{post.pk}").content.decode()
    [tag] = _video_tags(html)
    assert f'src="{media.file.url}"' in tag
    assert " controls" in tag and 'preload="none"' in tag and "autoplay" not in tag
    assert f'poster="{media.thumbnail.url}"' in tag
    assert 'aria-label="A colour ramp"' in tag
    assert 'width="64" height="48"' in tag
    assert f'<a href="{media.file.url}">Download the video</a>' in html


def test_gifv_loops_muted_and_has_a_still_copy_for_reduced_motion(client, alice, make_post):
    media = media_service.upload_media(alice, samples.animated_gif(), description="A cat")
    post = make_post(alice, "Meow", media=[media])
    html = client.get(f"/@alice/{post.pk}").content.decode()
    motion, still = _video_tags(html)
    assert 'class="gifv-motion"' in motion
    for attribute in (" autoplay", " loop", " muted", " playsinline"):
        assert attribute in motion
    assert " controls" not in motion
    assert 'class="gifv-still"' in still
    assert " controls" in still and 'preload="none"' in still and "autoplay" not in still
    assert 'aria-label="A cat"' in motion and 'aria-label="A cat"' in still


def test_reduced_motion_swaps_the_looping_copy_for_the_still_one():
    css = CSS.read_text()
    reduced = css[css.index("@media (prefers-reduced-motion: reduce)"):]
    block = reduced[: reduced.index("\n}\n")]
    assert re.search(r"video\.gifv-motion\s*\{\s*display:\s*none", block)
    assert re.search(r"video\.gifv-still\s*\{\s*display:\s*block", block)
    assert re.search(r"video\.gifv-still\s*\{\s*display:\s*none", css[: css.index(reduced)])


def test_a_remote_video_not_fetched_here_is_a_link_never_an_embed(client, db):
    """Only files that passed this server's media gate play inline."""
    dave = Account.objects.create(username="dave", domain="r.example",
                                  url="https://r.example/@dave")
    post = Post.objects.create(account=dave, content="<p>remote</p>", visibility="public",
                               uri="https://r.example/notes/9", published=timezone.now())
    Media.objects.create(account=dave, post=post, kind=Media.Kind.VIDEO,
                         remote_url="https://r.example/v.mp4", mime_type="video/mp4")
    html = client.get(f"/@dave@r.example/{post.pk}").content.decode()
    assert _video_tags(html) == []
    assert 'href="https://r.example/v.mp4"' in html and "not shown here" in html


def test_compose_accepts_videos(login, alice):
    html = login(alice).get("/home").content.decode()
    assert "video/mp4" in html and "video/webm" in html


def test_compose_publishes_a_video(login, alice):
    client = login(alice)
    upload = SimpleUploadedFile("clip.mp4", samples.mp4(), content_type="video/mp4")
    response = client.post("/compose", {"text": "My clip", "visibility": "public",
                                        "media_1": upload, "alt_1": "A ramp"})
    assert response.status_code == 302
    [media] = Post.objects.get(account=alice).media.all()
    assert (media.kind, media.description) == ("video", "A ramp")


def test_compose_shows_why_a_video_was_refused(login, alice):
    client = login(alice)
    upload = SimpleUploadedFile("clip.mp4", b"\x00" * 3000, content_type="video/mp4")
    response = client.post("/compose", {"text": "Broken", "visibility": "public",
                                        "media_1": upload})
    assert response.status_code in (200, 400)
    assert "not a video" in response.content.decode()
    assert not Post.objects.filter(account=alice).exists()

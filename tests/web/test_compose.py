"""The compose form: text, content warning, visibility, images with alt text,
polls, replies, and errors that keep what was typed."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from rostra.posts.models import Media, Poll, Post
from tests import factories


def _image(name="photo.png", data=None, content_type="image/png"):
    return SimpleUploadedFile(name, data or factories.image_bytes(), content_type=content_type)


def test_compose_publishes_a_post_and_redirects_to_next(login, alice):
    response = login(alice).post(
        "/compose",
        {"text": "First post from the web", "visibility": "public", "next": "/local"},
    )
    assert response.status_code == 302
    assert response.url == "/local"
    post = Post.objects.get(account=alice)
    assert post.text == "First post from the web"
    assert post.source == "web"


def test_compose_refuses_an_offsite_next(login, alice):
    response = login(alice).post(
        "/compose", {"text": "Hi", "visibility": "public", "next": "https://evil.example/"}
    )
    assert response.url == reverse("web:home")


def test_compose_uploads_an_image_with_alt_text(login, alice):
    client = login(alice)
    response = client.post(
        "/compose",
        {"text": "Look at this", "visibility": "public", "media_1": _image(),
         "alt_1": "A red square on white"},
    )
    assert response.status_code == 302
    post = Post.objects.get(account=alice)
    media = list(post.media.all())
    assert len(media) == 1
    assert media[0].description == "A red square on white"
    html = client.get("/home").content.decode()
    assert 'alt="A red square on white"' in html
    assert media[0].thumbnail.url in html


def test_compose_with_a_non_image_shows_the_error_and_creates_nothing(login, alice):
    response = login(alice).post(
        "/compose",
        {"text": "Here is my file", "visibility": "public",
         "media_1": _image(), "alt_1": "Fine image",
         "media_2": _image("notes.png", b"this is not an image at all", "image/png"),
         "alt_2": "Broken one"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_media_2_error"' in html
    assert "Here is my file" in html  # what was typed is kept
    assert "Broken one" in html
    assert not Post.objects.exists()
    assert not Media.objects.exists()  # the valid first image was discarded too


def test_compose_with_an_oversized_image_shows_the_limit(login, alice, settings):
    settings.ROSTRA_MEDIA_MAX_BYTES = 1024
    big = factories.image_bytes(size=(400, 400)) + b"\0" * 2048  # over the 1 KB limit
    response = login(alice).post(
        "/compose", {"text": "Big picture", "visibility": "public", "media_1": _image(data=big)}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "larger than" in html and "limit" in html
    assert not Post.objects.exists()
    assert not Media.objects.exists()


def test_over_long_text_is_refused_and_kept(login, alice, settings):
    text = "x" * (settings.ROSTRA_POST_MAX_CHARS + 1)
    response = login(alice).post("/compose", {"text": text, "visibility": "public"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_text_error"' in html
    assert f"the limit is {settings.ROSTRA_POST_MAX_CHARS}" in html
    assert text in html
    assert not Post.objects.exists()


def test_textarea_shows_the_limit(login, alice, settings):
    html = login(alice).get("/compose").content.decode()
    # No hard maxlength: links count as 23 characters, so the server decides.
    assert f'data-limit="{settings.ROSTRA_POST_MAX_CHARS}"' in html
    assert "maxlength" not in html.split('name="text"')[1].split(">")[0]
    assert f"Up to {settings.ROSTRA_POST_MAX_CHARS} characters" in html
    assert "Image description (alt text)" in html


def test_compose_with_content_warning_and_visibility(login, alice):
    login(alice).post(
        "/compose",
        {"text": "Spoilers inside", "spoiler_text": "Film ending", "visibility": "private"},
    )
    post = Post.objects.get(account=alice)
    assert post.spoiler_text == "Film ending"
    assert post.visibility == "private"
    assert post.sensitive


def test_compose_creates_a_poll(login, alice):
    login(alice).post(
        "/compose",
        {"text": "Tea or coffee?", "visibility": "public", "poll_option_1": "Tea",
         "poll_option_2": "Coffee", "poll_duration": "3600", "poll_multiple": "on"},
    )
    poll = Poll.objects.get(post__account=alice)
    assert poll.options == ["Tea", "Coffee"]
    assert poll.multiple


def test_a_poll_with_one_option_is_refused(login, alice):
    response = login(alice).post(
        "/compose", {"text": "Tea?", "visibility": "public", "poll_option_1": "Tea"}
    )
    assert response.status_code == 400
    assert 'id="id_poll_option_1_error"' in response.content.decode()
    assert not Post.objects.exists()


def test_reply_page_prefills_mentions_and_links_the_reply(login, alice, bob, carol, make_post):
    parent = make_post(bob, "Hello @carol")
    client = login(alice)
    html = client.get(f"/compose?in_reply_to={parent.pk}").content.decode()
    assert "@bob @carol" in html
    assert f'value="{parent.pk}"' in html
    client.post("/compose", {"text": "@bob hi", "visibility": "public",
                             "in_reply_to": parent.pk})
    reply = Post.objects.get(account=alice)
    assert reply.in_reply_to_id == parent.pk


def test_reply_to_an_invisible_post_is_404(login, alice, bob, make_post):
    secret = make_post(bob, "Only for @carol", visibility="direct")
    response = login(alice).get(f"/compose?in_reply_to={secret.pk}")
    assert response.status_code == 404


def test_compose_requires_login(client, db):
    response = client.post("/compose", {"text": "Anonymous?", "visibility": "public"})
    assert response.status_code == 302
    assert not Post.objects.exists()

"""The alt-text nudge of the compose form: a file without a description holds the
post back once, keeping everything typed and the file uploaded, and asks politely
beside that file; the author may add descriptions or post without them. Works
without JavaScript; the API never nudges."""

from django.core.files.uploadedfile import SimpleUploadedFile

from rostra.posts.models import Media, Post
from tests import factories

NUDGE = "Add a description so people using screen readers know what the image shows"


def _image(name="photo.png"):
    return SimpleUploadedFile(name, factories.image_bytes(), content_type="image/png")


def _nudged(client, **extra):
    data = {"text": "Sunset over the harbour", "visibility": "unlisted",
            "spoiler_text": "Bright colours", "media_1": _image(), "alt_1": "",
            "media_2": _image("two.png"), "alt_2": "Two boats at the quay",
            "poll_option_1": "", **extra}
    return client.post("/compose", data)


def test_an_image_without_description_is_not_posted_and_the_form_asks_for_one(login, alice):
    response = _nudged(login(alice))
    assert response.status_code == 200
    html = response.content.decode()
    assert not Post.objects.exists()
    assert html.count(NUDGE) == 1  # beside the one image without a description
    assert 'id="id_alt_1_nudge"' in html
    assert 'aria-describedby="id_alt_1_nudge"' in html
    assert "Sunset over the harbour" in html and "Bright colours" in html
    assert "Two boats at the quay" in html
    assert "Post without descriptions" in html
    kept = list(Media.objects.filter(account=alice, post__isnull=True).order_by("pk"))
    assert len(kept) == 2  # both uploads are kept, not lost
    for media in kept:
        assert f'value="{media.pk}"' in html
        assert media.thumbnail.url in html


def test_adding_the_description_after_the_nudge_posts_with_the_kept_images(login, alice):
    client = login(alice)
    _nudged(client)
    first, second = Media.objects.filter(account=alice).order_by("pk")
    response = client.post("/compose", {
        "text": "Sunset over the harbour", "visibility": "unlisted",
        "spoiler_text": "Bright colours", "keep_1": first.pk, "alt_1": "An orange sky",
        "keep_2": second.pk, "alt_2": "Two boats at the quay"})
    assert response.status_code == 302
    post = Post.objects.get(account=alice)
    assert [m.description for m in post.media.order_by("position")] == [
        "An orange sky", "Two boats at the quay"]
    assert post.spoiler_text == "Bright colours" and post.visibility == "unlisted"
    assert Media.objects.count() == 2  # nothing uploaded twice


def test_post_without_descriptions_sends_at_once(login, alice):
    response = _nudged(login(alice), post_without_alt="on")
    assert response.status_code == 302
    post = Post.objects.get(account=alice)
    assert [m.description for m in post.media.order_by("position")] == [
        "", "Two boats at the quay"]


def test_post_without_descriptions_after_the_nudge_sends_the_kept_images(login, alice):
    client = login(alice)
    _nudged(client)
    first, second = Media.objects.filter(account=alice).order_by("pk")
    response = client.post("/compose", {
        "text": "Sunset", "visibility": "public", "keep_1": first.pk,
        "keep_2": second.pk, "alt_2": "Two boats", "post_without_alt": "on"})
    assert response.status_code == 302
    assert Post.objects.get(account=alice).media.count() == 2


def test_images_with_descriptions_are_posted_without_a_nudge(login, alice):
    response = login(alice).post("/compose", {
        "text": "Harbour", "visibility": "public", "media_1": _image(), "alt_1": "A harbour"})
    assert response.status_code == 302
    assert Post.objects.get(account=alice).media.get().description == "A harbour"


def test_a_blank_description_counts_as_missing(login, alice):
    response = login(alice).post("/compose", {
        "text": "Harbour", "visibility": "public", "media_1": _image(), "alt_1": "   "})
    assert response.status_code == 200
    assert NUDGE in response.content.decode()
    assert not Post.objects.exists()


def test_a_kept_image_can_be_removed_before_posting(login, alice):
    client = login(alice)
    _nudged(client)
    first, second = Media.objects.filter(account=alice).order_by("pk")
    response = client.post("/compose", {
        "text": "Only boats", "visibility": "public", "keep_1": first.pk, "drop_1": "on",
        "keep_2": second.pk, "alt_2": "Two boats"})
    assert response.status_code == 302
    assert [m.pk for m in Post.objects.get(account=alice).media.all()] == [second.pk]
    assert not Media.objects.filter(pk=first.pk).exists()  # discarded with its files


def test_someone_elses_upload_cannot_be_kept(login, alice, bob):
    _nudged(login(bob))
    theirs = Media.objects.filter(account=bob).first()
    client = login(alice)
    response = client.post("/compose", {"text": "Mine?", "visibility": "public",
                                        "keep_1": theirs.pk, "alt_1": "Stolen"})
    assert response.status_code == 302  # posted, without the other person's file
    assert not Post.objects.get(account=alice).media.exists()
    assert Media.objects.get(pk=theirs.pk).post is None


def test_the_nudge_keeps_the_images_when_another_field_is_wrong(login, alice, settings):
    client = login(alice)
    _nudged(client)
    first, second = Media.objects.filter(account=alice).order_by("pk")
    response = client.post("/compose", {
        "text": "Sunset", "visibility": "public", "keep_1": first.pk,
        "keep_2": second.pk, "alt_1": "x" * 2000})
    assert response.status_code == 400  # alt text over the limit: a form error
    html = response.content.decode()
    assert f'value="{first.pk}"' in html and f'value="{second.pk}"' in html
    assert Media.objects.filter(pk__in=[first.pk, second.pk]).count() == 2


def test_the_api_never_nudges(alice):
    from rostra.posts import media as media_service
    from rostra.posts import services as posts

    media = media_service.upload_media(alice, factories.image_bytes())
    post = posts.create_post(alice, "No description through the API", media=[media])
    assert post.media.get().description == ""

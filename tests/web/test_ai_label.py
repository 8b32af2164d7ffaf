"""The "AI-generated" label in the web UI: visible text on every labelled image,
video and GIF wherever posts show media, and the compose form's checkbox."""

from __future__ import annotations

import re

from django.core.files.uploadedfile import SimpleUploadedFile

from rostra.posts import media as media_service
from rostra.posts.models import Media, Post
from tests import factories
from tests import video_samples as samples
from tests.provenance_samples import AI, attribute_form, jpeg_with_xmp

LABEL = re.compile(r'<span class="alt-badge ai-badge[^"]*" title="([^"]+)">'
                   r'<span class="visually-hidden">, </span>AI-generated</span>')


def _labels(html: str) -> list[str]:
    """The titles of the "AI-generated" labels on a page."""
    return LABEL.findall(html)


def _post_page(client, post) -> str:
    return client.get(f"/@{post.account.username}/{post.pk}").content.decode()


def test_a_labelled_image_shows_the_label_on_its_post_page(client, alice, make_post):
    media = media_service.upload_media(alice, factories.image_bytes(), description="A dream",
                                       ai_generated=True)
    post = make_post(alice, "Made with a model", media=[media])
    html = _post_page(client, post)
    assert _labels(html) == ["Its author says it was made with generative AI"]
    # inside the image's link, after its alt text: read out with the image
    link = html[html.index(f'href="{media.file.url}"'):]
    assert link.index('alt="A dream"') < link.index("AI-generated") < link.index("</a>")


def test_an_unlabelled_image_has_no_label(client, alice, make_post):
    media = media_service.upload_media(alice, factories.image_bytes())
    post = make_post(alice, "A photo", media=[media])
    assert _labels(_post_page(client, post)) == []


def test_only_the_labelled_item_of_a_grid_is_labelled(client, alice, make_post):
    plain = media_service.upload_media(alice, factories.image_bytes())
    declared = media_service.upload_media(alice, jpeg_with_xmp(attribute_form(AI)))
    post = make_post(alice, "One of each", media=[plain, declared])
    assert _labels(_post_page(client, post)) == [
        "Its IPTC metadata says it was made with generative AI"]


def test_video_and_gif_labels_sit_at_the_top(client, alice, make_post):
    for data in (samples.mp4(), samples.animated_gif()):  # one video per post
        media = media_service.upload_media(alice, data, ai_generated=True)
        html = _post_page(client, make_post(alice, "Moving picture", media=[media]))
        assert len(_labels(html)) == 1
        assert html.count('class="alt-badge ai-badge alt-badge-top"') == 1


def test_a_remote_label_says_where_it_comes_from(client, alice, make_post):
    media = media_service.upload_media(alice, factories.image_bytes())
    Media.objects.filter(pk=media.pk).update(ai_generated=True, ai_source="remote")
    post = make_post(alice, "From afar", media=[media])
    assert _labels(_post_page(client, post)) == [
        "The server it comes from says it was made with generative AI"]


def test_sensitive_media_keep_their_label_behind_the_warning(client, alice, make_post):
    media = media_service.upload_media(alice, factories.image_bytes(), ai_generated=True)
    post = make_post(alice, "Careful", media=[media], sensitive=True)
    html = _post_page(client, post)
    hidden = html[html.index('<details class="sensitive-media">'):]
    assert "AI-generated" in hidden[:hidden.index("</details>")]


def test_the_label_shows_on_timelines_and_profiles(login, alice, make_post):
    media = media_service.upload_media(alice, factories.image_bytes(), ai_generated=True)
    make_post(alice, "Everywhere", media=[media])
    client = login(alice)
    for page in ("/home", "/@alice", "/@alice/media"):
        response = client.get(page)
        assert response.status_code == 200, page
        assert len(_labels(response.content.decode())) == 1, page


def test_the_edit_page_says_the_image_is_labelled(login, alice, make_post):
    media = media_service.upload_media(alice, factories.image_bytes(), ai_generated=True)
    post = make_post(alice, "Editable", media=[media])
    html = login(alice).get(f"/posts/{post.pk}/edit").content.decode()
    assert "Labelled AI-generated." in html


def test_compose_has_an_ai_checkbox_for_each_file(login, alice):
    html = login(alice).get("/compose").content.decode()
    for slot in range(1, 5):
        assert f'<input type="checkbox" name="ai_{slot}"' in html
        assert (f'<label for="id_ai_{slot}">This image is AI-generated</label>') in html
        assert f'aria-describedby="id_ai_{slot}_hint"' in html
        assert f'id="id_ai_{slot}_hint"' in html


def test_compose_checkbox_labels_that_file_only(login, alice):
    client = login(alice)
    response = client.post("/compose", {
        "text": "One generated, one not", "visibility": "public",
        "media_1": SimpleUploadedFile("a.png", factories.image_bytes(), "image/png"),
        "media_2": SimpleUploadedFile("b.png", factories.image_bytes(), "image/png"),
        "ai_2": "on", "post_without_alt": "on",  # no alt text: past the nudge
    })
    assert response.status_code == 302
    first, second = Post.objects.get(account=alice).media.order_by("position")
    assert (first.ai_generated, first.ai_source) == (False, "")
    assert (second.ai_generated, second.ai_source) == (True, "author")


def test_compose_labels_a_declared_file_without_the_checkbox(login, alice):
    client = login(alice)
    client.post("/compose", {
        "text": "Its metadata says so", "visibility": "public",
        "media_1": SimpleUploadedFile("gen.jpg", jpeg_with_xmp(attribute_form(AI)),
                                      "image/jpeg"),
        "post_without_alt": "on",  # no alt text: past the nudge
    })
    media = Post.objects.get(account=alice).media.get()
    assert (media.ai_generated, media.ai_source) == (True, "iptc")

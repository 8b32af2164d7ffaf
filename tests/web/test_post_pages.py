"""Single-post pages (thread, history, edit, delete) and the buttons under posts."""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile

from rostra.accounts import services as accounts
from rostra.posts import media as media_service
from rostra.posts import services as posts
from rostra.posts.models import Bookmark, Favourite, Pin, PollVote, Post
from tests import factories


def test_thread_shows_ancestors_post_and_indented_replies(client, alice, bob, make_post):
    root = make_post(alice, "The root of it all")
    reply = make_post(bob, "@alice a first answer", in_reply_to=root)
    make_post(alice, "@bob an answer to the answer", in_reply_to=reply)
    html = client.get(f"/@bob/{reply.pk}").content.decode().split('<main id="main"')[1]
    assert html.index("The root of it all") < html.index("a first answer")
    assert html.index("a first answer") < html.index("an answer to the answer")
    assert "post-focus" in html
    assert "--depth: 1" in html


def test_thread_reply_form_mentions_author_and_mentioned(login, alice, bob, carol, make_post):
    post = make_post(bob, "Hi @carol, meet everyone")
    html = login(alice).get(f"/@bob/{post.pk}").content.decode()
    assert ">\n@bob @carol </textarea>" in html
    assert f'name="in_reply_to" value="{post.pk}"' in html


def test_post_under_the_wrong_account_is_404(client, alice, bob, make_post):
    post = make_post(alice, "Mine")
    assert client.get(f"/@bob/{post.pk}").status_code == 404


def test_content_warning_is_a_details_element(client, alice, make_post):
    post = make_post(alice, "Hidden behind a warning", spoiler_text="Food")
    html = client.get(f"/@alice/{post.pk}").content.decode()
    assert '<details class="cw">' in html
    assert "Food" in html


def test_sensitive_media_is_hidden_behind_details(client, alice, make_post):
    media = media_service.upload_media(
        alice, SimpleUploadedFile("a.png", factories.image_bytes()), description="A red square"
    )
    post = make_post(alice, "Careful", media=[media], sensitive=True)
    html = client.get(f"/@alice/{post.pk}").content.decode()
    assert '<details class="sensitive-media">' in html
    assert 'alt="A red square"' in html
    assert f'href="{media.file.url}"' in html


def test_like_boost_bookmark_buttons_act_and_redirect_back(login, alice, bob, make_post):
    post = make_post(bob, "Press my buttons")
    client = login(alice)
    for action in ("favourite", "reblog", "bookmark"):
        response = client.post(f"/posts/{post.pk}/{action}", {"next": "/local"})
        assert response.status_code == 302 and response.url == "/local"
    assert Favourite.objects.filter(account=alice, post=post).exists()
    assert Post.objects.filter(account=alice, reblog_of=post).exists()
    assert Bookmark.objects.filter(account=alice, post=post).exists()
    html = client.get(f"/@bob/{post.pk}").content.decode()
    assert f'action="/posts/{post.pk}/unfavourite"' in html
    assert f'action="/posts/{post.pk}/unreblog"' in html
    assert 'aria-pressed="true"' in html
    for action in ("unfavourite", "unreblog", "unbookmark"):
        client.post(f"/posts/{post.pk}/{action}")
    assert not Favourite.objects.exists() and not Bookmark.objects.exists()
    assert not Post.objects.filter(reblog_of=post).exists()


def test_actions_need_post_and_login(client, alice, bob, make_post):
    post = make_post(bob, "Buttons")
    assert client.post(f"/posts/{post.pk}/favourite").status_code == 302
    assert not Favourite.objects.exists()
    client.force_login(alice.user)
    assert client.get(f"/posts/{post.pk}/favourite").status_code == 405


def test_liking_an_invisible_post_is_404(login, alice, bob, make_post):
    secret = make_post(bob, "Followers only", visibility="private")
    response = login(alice).post(f"/posts/{secret.pk}/favourite")
    assert response.status_code == 404
    assert not Favourite.objects.exists()


def test_author_can_pin_and_unpin(login, alice, make_post):
    post = make_post(alice, "Pin me")
    client = login(alice)
    client.post(f"/posts/{post.pk}/pin")
    assert Pin.objects.filter(account=alice, post=post).exists()
    client.post(f"/posts/{post.pk}/unpin")
    assert not Pin.objects.exists()


def test_pinning_someone_elses_post_shows_the_error(login, alice, bob, make_post):
    post = make_post(bob, "Not yours")
    client = login(alice)
    response = client.post(f"/posts/{post.pk}/pin", follow=True)
    assert "You can only pin your own posts." in response.content.decode()
    assert not Pin.objects.exists()


def test_vote_in_a_poll_then_see_results(login, alice, bob, make_post):
    post = make_post(bob, "Tea or coffee?",
                     poll=posts.PollSpec(["Tea", "Coffee"], expires_in=timedelta(days=1)))
    client = login(alice)
    html = client.get(f"/@bob/{post.pk}").content.decode()
    assert 'type="radio" name="choice"' in html
    client.post(f"/posts/{post.pk}/vote", {"choice": "1"})
    assert list(PollVote.objects.values_list("choice", flat=True)) == [1]
    html = client.get(f"/@bob/{post.pk}").content.decode()
    assert 'name="choice"' not in html
    assert "100%" in html


def test_delete_asks_then_deletes(login, alice, make_post):
    post = make_post(alice, "Regrettable")
    client = login(alice)
    page = client.get(f"/posts/{post.pk}/delete")
    assert page.status_code == 200 and "Delete this post?" in page.content.decode()
    assert Post.objects.filter(pk=post.pk).exists()
    response = client.post(f"/posts/{post.pk}/delete", {"next": f"/@alice/{post.pk}"})
    assert response.status_code == 302 and response.url == "/@alice"
    assert not Post.objects.filter(pk=post.pk).exists()


def test_others_cannot_delete_or_edit(login, alice, bob, make_post):
    post = make_post(bob, "Bob's words")
    client = login(alice)
    assert client.post(f"/posts/{post.pk}/delete").status_code == 404
    assert client.post(f"/posts/{post.pk}/edit", {"text": "Hacked"}).status_code == 404
    post.refresh_from_db()
    assert post.text == "Bob's words"


def test_edit_changes_text_and_alt_text_and_keeps_history(login, alice, make_post):
    media = media_service.upload_media(
        alice, SimpleUploadedFile("a.png", factories.image_bytes()), description="old alt"
    )
    post = make_post(alice, "Frist version", media=[media])
    client = login(alice)
    form = client.get(f"/posts/{post.pk}/edit").content.decode()
    assert "Frist version" in form and "old alt" in form
    response = client.post(
        f"/posts/{post.pk}/edit",
        {"text": "First version", "spoiler_text": "", f"alt_{media.pk}": "new alt"},
    )
    assert response.status_code == 302
    post.refresh_from_db()
    media.refresh_from_db()
    assert post.text == "First version" and post.edited_at is not None
    assert media.description == "new alt"
    page = client.get(f"/@alice/{post.pk}").content.decode()
    assert "Edited" in page and f"/@alice/{post.pk}/history" in page
    history = client.get(f"/@alice/{post.pk}/history").content.decode()
    assert "Frist version" in history and "First version" in history


def test_edit_with_over_long_text_shows_the_error(login, alice, make_post, settings):
    post = make_post(alice, "Short")
    response = login(alice).post(
        f"/posts/{post.pk}/edit", {"text": "y" * (settings.ROSTRA_POST_MAX_CHARS + 5)}
    )
    assert response.status_code == 400
    assert 'id="id_text_error"' in response.content.decode()
    post.refresh_from_db()
    assert post.text == "Short"


def test_boost_button_absent_for_followers_only_posts(login, alice, bob, make_post):
    accounts.follow(alice, bob)
    post = make_post(bob, "Just for followers", visibility="private")
    html = login(alice).get(f"/@bob/{post.pk}").content.decode()
    assert "Just for followers" in html
    assert f"/posts/{post.pk}/reblog" not in html
    assert "cannot be boosted" in html

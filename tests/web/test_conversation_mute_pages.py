"""The "Mute conversation" button in a post's menu (a plain form, no JavaScript)."""

from __future__ import annotations

import re

import pytest

from rostra.accounts import services as accounts
from rostra.posts.conversation_mutes import is_muted, mute_conversation
from rostra.posts.models import ConversationMute

pytestmark = pytest.mark.django_db


def mute_forms(html: str) -> list[str]:
    """Each mute/unmute form of the page, as HTML."""
    return re.findall(r'<form method="post" action="/posts/\d+/(?:un)?mute">.*?</form>', html,
                      re.S)


def test_the_author_mutes_a_thread_from_the_post_menu(login, alice, make_post):
    post = make_post(alice, "a question")
    client = login(alice)
    form, = mute_forms(client.get(f"/@alice/{post.pk}").content.decode())
    assert f'action="/posts/{post.pk}/mute"' in form and "Mute conversation" in form
    assert 'name="csrfmiddlewaretoken"' in form
    response = client.post(f"/posts/{post.pk}/mute", {"next": f"/@alice/{post.pk}"},
                           follow=True)
    html = response.content.decode()
    assert "Conversation muted" in html
    assert is_muted(alice, post)
    form, = mute_forms(html)
    assert f'action="/posts/{post.pk}/unmute"' in form and "Unmute conversation" in form


def test_unmuting_from_the_menu_lifts_the_mute(login, alice, make_post):
    post = make_post(alice, "a question")
    mute_conversation(alice, post)
    response = login(alice).post(f"/posts/{post.pk}/unmute", follow=True)
    assert "Conversation unmuted." in response.content.decode()
    assert not is_muted(alice, post)


def test_a_thread_page_offers_the_button_on_every_post_to_who_takes_part(
        login, alice, bob, carol, make_post):
    root = make_post(alice, "a question")
    reply = make_post(carol, "a thought", in_reply_to=root)
    make_post(bob, "mine too", in_reply_to=reply)
    forms = mute_forms(login(bob).get(f"/@carol/{reply.pk}").content.decode())
    assert len(forms) == 3


def test_no_button_where_the_viewer_takes_no_part(login, alice, carol, make_post):
    post = make_post(alice, "a question")
    assert mute_forms(login(carol).get(f"/@alice/{post.pk}").content.decode()) == []


def test_a_timeline_offers_the_button_on_posts_that_mention_the_viewer(
        login, alice, bob, make_post):
    accounts.follow(alice, bob)
    mentioning = make_post(bob, "hello @alice")
    make_post(bob, "talking to nobody")
    forms = mute_forms(login(alice).get("/home").content.decode())
    assert [f'/posts/{mentioning.pk}/mute' in f for f in forms] == [True]


def test_muting_a_thread_one_takes_no_part_in_shows_why_and_mutes_nothing(
        login, alice, carol, make_post):
    post = make_post(alice, "a question")
    response = login(carol).post(f"/posts/{post.pk}/mute", follow=True)
    assert "You can only mute a conversation you take part in" in response.content.decode()
    assert not ConversationMute.objects.exists()


def test_visitors_see_no_button_and_cannot_mute(client, alice, make_post):
    post = make_post(alice, "a question")
    assert mute_forms(client.get(f"/@alice/{post.pk}").content.decode()) == []
    assert client.post(f"/posts/{post.pk}/mute").status_code == 302  # to the log-in page
    assert not ConversationMute.objects.exists()

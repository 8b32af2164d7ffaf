"""Muted conversations: who may mute a thread, what a mute covers, and where it goes."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rostra.posts import cleanup
from rostra.posts import services as posts
from rostra.posts.conversation_mutes import (
    NotInConversation,
    is_muted,
    mute_conversation,
    takes_part,
    unmute_conversation,
)
from rostra.posts.errors import NotVisible
from rostra.posts.models import ConversationMute, Post
from rostra.posts.queries import hydrate, load
from tests.factories import make_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def thread(alice, bob):
    """alice's root, bob's reply to it, alice's answer to bob."""
    root = make_post(alice, "a question")
    reply = make_post(bob, "@alice an answer", in_reply_to=root)
    answer = make_post(alice, "@bob thanks", in_reply_to=reply)
    return root, reply, answer


def test_the_author_of_a_post_may_mute_its_thread(alice, thread):
    root, reply, answer = thread
    mute_conversation(alice, root)
    assert all(is_muted(alice, p) for p in (root, reply, answer))


def test_a_person_mentioned_in_the_thread_may_mute_it(alice, carol):
    root = make_post(alice, "what do you think, @carol?")
    mute_conversation(carol, root)
    assert is_muted(carol, root)


def test_taking_part_anywhere_in_the_thread_allows_muting_from_any_of_its_posts(
        alice, bob, carol):
    root = make_post(alice, "a question")
    reply = make_post(carol, "a thought", in_reply_to=root)
    make_post(bob, "mine too", in_reply_to=reply)
    assert takes_part(bob, root)
    mute_conversation(bob, root)
    assert is_muted(bob, reply)


def test_a_thread_one_takes_no_part_in_cannot_be_muted(alice, carol, thread):
    root, _reply, _answer = thread
    with pytest.raises(NotInConversation):
        mute_conversation(carol, root)
    assert not ConversationMute.objects.filter(account=carol).exists()


def test_a_post_one_may_not_see_cannot_be_muted(alice, carol):
    secret = make_post(alice, "only for me", visibility="direct")
    with pytest.raises(NotVisible):
        mute_conversation(carol, secret)


def test_muting_twice_keeps_one_mute(alice, thread):
    root, reply, _answer = thread
    first = mute_conversation(alice, root)
    assert mute_conversation(alice, reply) == first
    assert ConversationMute.objects.filter(account=alice).count() == 1


def test_a_boost_stands_for_the_post_it_boosts(alice, bob, carol, thread):
    root, _reply, _answer = thread
    boost = posts.reblog(carol, root)
    mute_conversation(alice, boost)
    assert is_muted(alice, root)


def test_a_mute_is_the_muters_own_and_covers_one_thread(alice, bob, thread):
    root, _reply, _answer = thread
    other = make_post(alice, "another topic")
    mute_conversation(alice, root)
    assert not is_muted(bob, root)
    assert not is_muted(alice, other)


def test_unmuting_lifts_the_mute_and_is_allowed_to_anyone(alice, carol, thread):
    root, reply, _answer = thread
    mute_conversation(alice, root)
    unmute_conversation(alice, reply)
    assert not is_muted(alice, root)
    unmute_conversation(carol, root)  # nothing to lift: no error either


def test_the_mute_goes_with_the_first_post_of_the_thread(alice, thread):
    root, _reply, _answer = thread
    mute_conversation(alice, root)
    posts.delete_post(alice, root)
    assert not ConversationMute.objects.exists()


def test_closing_an_account_removes_its_mutes(alice, bob, thread):
    root, _reply, _answer = thread
    mute_conversation(bob, root)
    cleanup.purge(bob)
    assert not ConversationMute.objects.filter(account=bob).exists()


def test_removing_an_account_row_cascades_to_its_mutes(alice, bob, thread):
    root, _reply, _answer = thread
    mute_conversation(bob, root)
    bob.delete()
    assert not ConversationMute.objects.exists()


def test_a_page_learns_what_is_muted_in_the_same_round_trip_as_likes(alice, bob, thread):
    root, reply, answer = thread
    elsewhere = make_post(bob, "unrelated")
    mute_conversation(alice, root)
    page = load(Post.objects.filter(pk__in=[root.pk, reply.pk, answer.pk, elsewhere.pk])
                .order_by("id"))
    with CaptureQueriesContext(connection) as ctx:
        hydrate(page, alice)
    assert len(ctx.captured_queries) == 1
    assert [p.viewer_muted for p in page] == [True, True, True, False]
    # who may be offered the button: alice wrote the root and her answer; bob's
    # reply mentions her; the unrelated post neither
    assert [p.viewer_takes_part for p in page] == [True, True, True, False]

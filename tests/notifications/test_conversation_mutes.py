"""A muted conversation tells its muter nothing more; everything else goes on."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from rostra.accounts import services as accounts
from rostra.notifications.models import Notification
from rostra.posts import services as posts
from rostra.posts.conversation_mutes import mute_conversation, unmute_conversation
from rostra.posts.models import Poll
from tests.factories import make_post
from tests.notifications.rig import told

pytestmark = pytest.mark.django_db


@pytest.fixture
def muted_thread(alice):
    """alice's thread, which she muted."""
    root = make_post(alice, "a question")
    mute_conversation(alice, root)
    return root


def test_no_reply_notification_from_a_muted_thread(alice, bob, muted_thread):
    make_post(bob, "an answer", in_reply_to=muted_thread)
    assert told(alice) == []


def test_no_mention_notification_from_a_muted_thread(alice, bob, carol, muted_thread):
    reply = make_post(bob, "an answer", in_reply_to=muted_thread)
    make_post(carol, "@alice look at this", in_reply_to=reply)
    assert told(alice) == []


def test_no_like_notification_for_a_post_of_a_muted_thread(alice, bob, muted_thread, events):
    own_reply = make_post(alice, "more", in_reply_to=muted_thread)
    with events():
        posts.favourite(bob, muted_thread)
        posts.favourite(bob, own_reply)
    assert told(alice) == []


def test_no_boost_notification_for_a_post_of_a_muted_thread(alice, bob, muted_thread, events):
    with events():
        posts.reblog(bob, muted_thread)
    assert told(alice) == []


def test_no_edit_notification_for_a_boosted_post_of_a_muted_thread(alice, bob, events):
    root = make_post(alice, "a question")
    make_post(bob, "my two cents", in_reply_to=root)
    posts.reblog(bob, root)
    mute_conversation(bob, root)
    with events():
        posts.edit_post(alice, root, "a better question")
    assert told(bob, "update") == []


def test_no_poll_notification_from_a_muted_thread(alice, bob):
    post = make_post(alice, "@bob which?", poll=posts.PollSpec(["a", "b"], timedelta(days=1)))
    posts.vote(bob, post.poll, [0])
    mute_conversation(alice, post)
    mute_conversation(bob, post)
    Poll.objects.filter(pk=post.poll.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    posts.end_poll(post.poll.pk)
    assert told(alice, "poll") == [] and told(bob, "poll") == []


def test_other_threads_still_notify(alice, bob, muted_thread, events):
    other = make_post(alice, "another topic")
    make_post(bob, "an answer", in_reply_to=other)
    with events():
        posts.favourite(bob, other)
    assert told(alice) == [("reply", "bob"), ("favourite", "bob")]


def test_others_in_a_muted_thread_are_still_told(alice, bob, carol, muted_thread):
    make_post(bob, "what do you say, @carol?", in_reply_to=muted_thread)
    assert told(carol) == [("mention", "bob")]


def test_follows_are_not_affected_by_a_muted_thread(alice, bob, muted_thread, events):
    with events():
        accounts.follow(bob, alice)
    assert told(alice) == [("follow", "bob")]


def test_unmuting_notifies_again_for_what_happens_next(alice, bob, muted_thread):
    make_post(bob, "while muted", in_reply_to=muted_thread)
    unmute_conversation(alice, muted_thread)
    later = make_post(bob, "after the unmute", in_reply_to=muted_thread)
    assert [n.post_id for n in Notification.objects.filter(account=alice)] == [later.pk]

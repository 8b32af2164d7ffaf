"""Which streams a post goes to: the one visibility rule decides."""

from __future__ import annotations

import pytest

from rostra.accounts import services as accounts
from rostra.streaming import streams
from rostra.streaming.models import StreamEvent
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def followed_alice(alice, bob, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        accounts.follow(bob, alice)
    return alice


def _streams_of(post, event=streams.UPDATE):
    post_id = post if isinstance(post, int) else post.pk
    return set(StreamEvent.objects.filter(post_id=post_id, event=event)
               .values_list("stream", flat=True))


def test_public_post_goes_to_author_followers_public_and_tags(followed_alice, bob):
    post = factories.make_post(followed_alice, "hello #Cats")
    assert _streams_of(post) == {
        f"user:{followed_alice.pk}", f"user:{bob.pk}", "public", "public:local",
        "hashtag:cats", "hashtag:local:cats",
    }


def test_followers_only_post_reaches_followers_only(followed_alice, bob, carol):
    post = factories.make_post(followed_alice, "secret", visibility="private")
    assert _streams_of(post) == {f"user:{followed_alice.pk}", f"user:{bob.pk}"}


def test_direct_post_reaches_only_mentioned_followers(followed_alice, bob, carol):
    post = factories.make_post(followed_alice, "psst @carol", visibility="direct")
    assert _streams_of(post) == {f"user:{followed_alice.pk}"}
    assert _streams_of(post, streams.CONVERSATION) == {
        f"direct:{followed_alice.pk}", f"direct:{carol.pk}"}


def test_blocked_follower_gets_nothing(followed_alice, bob, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        accounts.block(followed_alice, bob)
    post = factories.make_post(followed_alice, "after the block")
    assert f"user:{bob.pk}" not in _streams_of(post)


def test_mention_notification_is_streamed_to_the_mentioned(alice, bob):
    factories.make_post(alice, "hi @bob")
    assert StreamEvent.objects.filter(stream=f"user:{bob.pk}", event="notification").exists()


def test_delete_goes_where_the_post_went(followed_alice, bob, django_capture_on_commit_callbacks):
    from rostra.posts import services as posts

    post = factories.make_post(followed_alice, "soon gone")
    post_id = post.pk
    with django_capture_on_commit_callbacks(execute=True):
        posts.delete_post(followed_alice, post)
    assert _streams_of(post_id, streams.DELETE) >= {"public", f"user:{bob.pk}"}


def test_old_events_are_pruned(alice):
    from datetime import timedelta

    from django.utils import timezone

    streams.publish(streams.DELETE, ["public"], post_id=1)
    StreamEvent.objects.filter(post_id=1).update(created_at=timezone.now() - timedelta(hours=1))
    streams.publish(streams.DELETE, ["public"], post_id=2)
    # Only this test's rows are aged; others in the table may be of any age.
    old = StreamEvent.objects.filter(created_at__lt=timezone.now() - streams.RETENTION).count()
    assert old >= 1
    assert streams.prune() == old
    assert not StreamEvent.objects.filter(post_id=1).exists()
    assert StreamEvent.objects.filter(post_id=2).exists()

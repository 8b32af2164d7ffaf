"""Notifications: who is told what, and when nobody is."""

from datetime import timedelta

from django.utils import timezone

from rostra.accounts import services as accounts
from rostra.accounts.models import Account
from rostra.notifications import services as notifications
from rostra.notifications.models import Notification
from rostra.posts import services as posts
from rostra.posts.models import Poll
from rostra.timelines.pagination import Page
from tests.factories import make_account, make_post
from tests.notifications.rig import told


def test_mention_notifies_the_mentioned(alice, bob):
    post = make_post(alice, "hi @bob")
    assert Notification.objects.filter(account=bob, type="mention", post=post).exists()


def test_reply_notifies_the_parent_author_once(alice, bob):
    root = make_post(alice, "root")
    make_post(bob, "@alice reply", in_reply_to=root)
    assert told(alice) == [("reply", "bob")]


def test_boost_notifies_the_author(alice, bob, events):
    post = make_post(alice, "boost me")
    with events():
        posts.reblog(bob, post)
    assert told(alice) == [("reblog", "bob")]


def test_like_notifies_the_author(alice, bob, events):
    post = make_post(alice, "like me")
    with events():
        posts.favourite(bob, post)
    assert told(alice) == [("favourite", "bob")]


def test_liking_again_after_unliking_does_not_notify_twice(alice, bob, events):
    post = make_post(alice, "like me")
    with events():
        posts.favourite(bob, post)
        posts.unfavourite(bob, post)
        posts.favourite(bob, post)
    assert told(alice) == [("favourite", "bob")]


def test_follow_notifies_the_followed(alice, bob, events):
    with events():
        accounts.follow(bob, alice)
    assert told(alice) == [("follow", "bob")]


def test_follow_request_notifies_the_locked_account(bob, events):
    locked = make_account("locked_lou", locked=True)
    with events():
        accounts.follow(bob, locked)
    assert told(locked) == [("follow_request", "bob")]


def test_status_notifies_followers_who_asked_for_it(alice, bob, carol, events):
    with events():
        accounts.follow(bob, alice, notify=True)
        accounts.follow(carol, alice)
    post = make_post(alice, "new post")
    assert Notification.objects.filter(account=bob, type="status", post=post).exists()
    assert not Notification.objects.filter(account=carol, post=post).exists()


def test_mentioned_notify_follower_gets_one_notification(alice, bob):
    accounts.follow(bob, alice, notify=True)
    post = make_post(alice, "hi @bob")
    types = Notification.objects.filter(account=bob, post=post).values_list("type", flat=True)
    assert list(types) == ["mention"]


def test_editing_a_boosted_post_notifies_the_booster(alice, bob, events):
    post = make_post(alice, "boost me")
    posts.reblog(bob, post)
    with events():
        posts.edit_post(alice, post, "boost me, edited")
    assert told(bob, "update") == [("update", "alice")]


def test_poll_end_notifies_voter_and_author(alice, bob):
    post = make_post(alice, "?", poll=posts.PollSpec(["a", "b"], timedelta(days=1)))
    posts.vote(bob, post.poll, [0])
    Poll.objects.filter(pk=post.poll.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    posts.end_poll(post.poll.pk)
    assert told(bob, "poll") == [("poll", "alice")]
    assert told(alice, "poll") == [("poll", "alice")]


# --- nobody is told --------------------------------------------------------------

def test_no_notification_for_ones_own_actions(alice, events):
    post = make_post(alice, "talking to @alice", visibility="public")
    make_post(alice, "self reply", in_reply_to=post)
    with events():
        posts.favourite(alice, post)
        posts.reblog(alice, post)
    assert told(alice) == []


def test_no_notification_from_a_blocked_account(alice, bob):
    accounts.block(alice, bob)
    make_post(bob, "hey @alice")
    assert told(alice) == []


def test_no_notification_to_an_account_that_blocked_the_author(alice, bob):
    accounts.block(bob, alice)
    make_post(alice, "hey @bob")
    assert told(bob) == []


def test_no_notification_from_an_account_muted_with_notifications(alice, bob):
    accounts.mute(alice, bob)
    make_post(bob, "hey @alice")
    assert told(alice) == []


def test_mute_without_notifications_still_notifies(alice, bob):
    accounts.mute(alice, bob, notifications=False)
    make_post(bob, "hey @alice")
    assert told(alice) == [("mention", "bob")]


def test_expired_mute_notifies_again(alice, bob):
    accounts.mute(alice, bob, duration=timedelta(minutes=1))
    from rostra.accounts.models import Mute

    Mute.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    make_post(bob, "hey @alice")
    assert told(alice) == [("mention", "bob")]


def test_quiet_posts_notify_no_one(alice, bob):
    accounts.follow(bob, alice, notify=True)
    make_post(alice, "imported @bob", quiet=True, source="import")
    assert told(bob, "mention") == [] and told(bob, "status") == []


def test_no_notification_for_remote_accounts(alice):
    remote = Account.objects.create(username="far", domain="remote.example")
    make_post(alice, "hi @far@remote.example")
    assert not Notification.objects.filter(account=remote).exists()


def test_followers_only_post_does_not_notify_a_non_following_notify_subscriber(alice, bob):
    accounts.follow(bob, alice, notify=True)
    accounts.unfollow(bob, alice)
    make_post(alice, "for followers", visibility="private")
    assert told(bob) == []


def test_direct_post_does_not_notify_notify_followers_not_addressed(alice, bob, carol):
    accounts.follow(bob, alice, notify=True)
    make_post(alice, "@carol psst", visibility="direct")
    assert told(bob, "status") == []
    assert told(carol) == [("mention", "alice")]


# --- reading and clearing -----------------------------------------------------------

def test_unread_count_and_mark_read(alice, bob, carol):
    make_post(bob, "hi @alice")
    make_post(carol, "hi @alice")
    assert notifications.unread_count(alice) == 2
    notifications.mark_read(alice)
    assert notifications.unread_count(alice) == 0
    make_post(bob, "again @alice")
    assert notifications.unread_count(alice) == 1


def test_mark_read_never_moves_backwards(alice, bob):
    make_post(bob, "one @alice")
    make_post(bob, "two @alice")
    first, second = Notification.objects.filter(account=alice).order_by("id")
    notifications.mark_read(alice, up_to=second.pk)
    notifications.mark_read(alice, up_to=first.pk)
    assert notifications.unread_count(alice) == 0


def test_for_account_filters_by_type(alice, bob, events):
    post = make_post(bob, "hi @alice")
    with events():
        accounts.follow(bob, alice)
    assert [n.post for n in notifications.for_account(alice, Page(), types=["mention"])] == [post]
    follows = notifications.for_account(alice, Page(), exclude_types=["mention"])
    assert [n.type for n in follows] == ["follow"]


def test_dismiss_removes_one_notification_of_ones_own(alice, bob):
    make_post(bob, "hi @alice")
    make_post(alice, "hi @bob")
    mine = Notification.objects.get(account=alice)
    theirs = Notification.objects.get(account=bob)
    assert notifications.dismiss(alice, theirs.pk) is False
    assert notifications.dismiss(alice, mine.pk) is True
    assert told(alice) == [] and told(bob) == [("mention", "alice")]


def test_clear_removes_all_of_ones_notifications(alice, bob):
    make_post(bob, "hi @alice")
    make_post(alice, "hi @bob")
    notifications.clear(alice)
    assert told(alice) == [] and told(bob) == [("mention", "alice")]


def test_deleting_a_post_removes_its_notifications(alice, bob):
    post = make_post(bob, "hi @alice")
    posts.delete_post(bob, post)
    assert told(alice) == []

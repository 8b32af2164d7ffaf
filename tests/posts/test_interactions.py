"""Boosts, likes, bookmarks, pins, edits, deletion and polls."""

from datetime import timedelta

import pytest
from django.utils import timezone

from rostra.accounts.services import block, follow
from rostra.notifications.models import Notification
from rostra.posts import services
from rostra.posts.errors import NotVisible, PostError
from rostra.posts.media import upload_media
from rostra.posts.models import Bookmark, Favourite, Media, Pin, Poll, PollVote, Post, PostEdit
from tests.factories import image_bytes


def fresh(obj):
    obj.refresh_from_db()
    return obj


# --- boosts -----------------------------------------------------------------------

def test_boost_creates_a_reblog_and_counts_it(alice, bob):
    post = services.create_post(alice, "boost me")
    boost = services.reblog(bob, post)
    assert boost.reblog_of == post
    assert fresh(post).reblogs_count == 1


def test_boosting_twice_returns_the_first_boost(alice, bob):
    post = services.create_post(alice, "boost me")
    first = services.reblog(bob, post)
    assert services.reblog(bob, post) == first
    assert fresh(post).reblogs_count == 1


def test_boosting_a_boost_boosts_the_original(alice, bob, carol):
    post = services.create_post(alice, "boost me")
    boost = services.reblog(bob, post)
    assert services.reblog(carol, boost).reblog_of == post


@pytest.mark.parametrize("visibility", ["private", "direct"])
def test_private_and_direct_posts_cannot_be_boosted_even_by_their_author(alice, visibility):
    post = services.create_post(alice, "mine", visibility=visibility)
    with pytest.raises(PostError):
        services.reblog(alice, post)
    assert not Post.objects.filter(reblog_of=post).exists()


def test_followers_only_post_cannot_be_boosted_by_a_follower(alice, bob):
    follow(bob, alice)
    post = services.create_post(alice, "for followers", visibility="private")
    with pytest.raises(PostError):
        services.reblog(bob, post)


def test_blocked_account_cannot_boost(alice, bob):
    post = services.create_post(alice, "hi")
    block(alice, bob)
    with pytest.raises(NotVisible):
        services.reblog(bob, post)


def test_unboost_removes_the_boost_and_its_count(alice, bob):
    post = services.create_post(alice, "boost me")
    services.reblog(bob, post)
    services.unreblog(bob, post)
    assert not Post.objects.filter(reblog_of=post).exists()
    assert fresh(post).reblogs_count == 0


def test_boost_and_unboost_leave_the_boosters_status_count_unchanged(alice, bob):
    services.create_post(bob, "my own post")
    post = services.create_post(alice, "boost me")
    services.reblog(bob, post)
    services.unreblog(bob, post)
    assert fresh(bob).statuses_count == 1


# --- likes and bookmarks --------------------------------------------------------

def test_like_counts_once(alice, bob):
    post = services.create_post(alice, "like me")
    services.favourite(bob, post)
    services.favourite(bob, post)
    assert fresh(post).favourites_count == 1
    assert Favourite.objects.count() == 1


def test_unlike_uncounts(alice, bob):
    post = services.create_post(alice, "like me")
    services.favourite(bob, post)
    services.unfavourite(bob, post)
    assert fresh(post).favourites_count == 0


def test_unlike_without_a_like_changes_nothing(alice, bob, carol):
    post = services.create_post(alice, "like me")
    services.favourite(carol, post)
    services.unfavourite(bob, post)
    assert fresh(post).favourites_count == 1


def test_liking_a_boost_likes_the_original(alice, bob, carol):
    post = services.create_post(alice, "like me")
    boost = services.reblog(bob, post)
    services.favourite(carol, boost)
    assert fresh(post).favourites_count == 1


def test_liking_an_invisible_post_is_refused(alice, bob):
    post = services.create_post(alice, "secret", visibility="private")
    with pytest.raises(NotVisible):
        services.favourite(bob, post)
    assert fresh(post).favourites_count == 0


def test_bookmark_is_kept_once_and_removed(alice, bob):
    post = services.create_post(alice, "save me")
    services.bookmark(bob, post)
    services.bookmark(bob, post)
    assert Bookmark.objects.filter(account=bob, post=post).count() == 1
    services.unbookmark(bob, post)
    assert not Bookmark.objects.exists()


def test_bookmarking_an_invisible_post_is_refused(alice, bob):
    post = services.create_post(alice, "secret", visibility="direct")
    with pytest.raises(NotVisible):
        services.bookmark(bob, post)


# --- pins -------------------------------------------------------------------------

def test_up_to_five_posts_can_be_pinned(alice):
    for i in range(5):
        services.pin(alice, services.create_post(alice, f"pin {i}"))
    with pytest.raises(PostError):
        services.pin(alice, services.create_post(alice, "sixth"))
    assert Pin.objects.filter(account=alice).count() == 5


def test_pinning_twice_keeps_one_pin(alice):
    post = services.create_post(alice, "pin")
    services.pin(alice, post)
    services.pin(alice, post)
    assert Pin.objects.count() == 1


def test_someone_elses_post_cannot_be_pinned(alice, bob):
    with pytest.raises(PostError):
        services.pin(bob, services.create_post(alice, "not yours"))


def test_a_boost_cannot_be_pinned(alice, bob):
    boost = services.reblog(bob, services.create_post(alice, "hi"))
    with pytest.raises(PostError):
        services.pin(bob, boost)


def test_direct_post_cannot_be_pinned(alice):
    with pytest.raises(PostError):
        services.pin(alice, services.create_post(alice, "psst", visibility="direct"))


def test_unpin_frees_a_slot(alice):
    posts = [services.create_post(alice, f"pin {i}") for i in range(6)]
    for post in posts[:5]:
        services.pin(alice, post)
    services.unpin(alice, posts[0])
    assert services.pin(alice, posts[5])


# --- edits ------------------------------------------------------------------------

def test_edit_changes_text_and_content(alice):
    post = services.create_post(alice, "frist")
    services.edit_post(alice, post, "first")
    post = fresh(post)
    assert post.text == "first"
    assert post.content == "<p>first</p>"
    assert post.edited_at is not None


def test_edit_history_starts_with_the_original_version(alice):
    post = services.create_post(alice, "v1")
    services.edit_post(alice, post, "v2")
    services.edit_post(alice, post, "v3", spoiler_text="cw")
    history = list(PostEdit.objects.filter(post=post))
    assert [e.text for e in history] == ["v1", "v2", "v3"]
    assert history[0].created_at == post.published
    assert history[-1].spoiler_text == "cw"


def test_edit_re_parses_hashtags(alice):
    post = services.create_post(alice, "#old")
    services.edit_post(alice, post, "#new")
    assert [pt.tag.name for pt in post.post_tags.all()] == ["new"]


def test_edit_updates_alt_text_and_keeps_the_old_one_in_history(alice):
    media = upload_media(alice, image_bytes(), description="old alt")
    post = services.create_post(alice, "pic", media=[media])
    services.edit_post(alice, post, "pic", media_descriptions={media.pk: "new alt"})
    assert fresh(media).description == "new alt"
    assert [e.media_descriptions for e in post.edits.all()] == [["old alt"], ["new alt"]]


def test_only_the_author_can_edit(alice, bob):
    post = services.create_post(alice, "mine")
    with pytest.raises(PostError):
        services.edit_post(bob, post, "yours")
    assert fresh(post).text == "mine"


def test_edit_over_the_limit_is_refused_and_keeps_the_post(alice):
    post = services.create_post(alice, "short")
    with pytest.raises(PostError):
        services.edit_post(alice, post, "a" * 501)
    assert fresh(post).text == "short"
    assert not PostEdit.objects.exists()


# --- deletion ---------------------------------------------------------------------

def test_delete_removes_the_post_and_uncounts_it(alice):
    post = services.create_post(alice, "bye")
    services.delete_post(alice, post)
    assert not Post.objects.filter(pk=post.pk).exists()
    assert fresh(alice).statuses_count == 0


def test_delete_removes_boosts_of_the_post(alice, bob):
    post = services.create_post(alice, "bye")
    services.reblog(bob, post)
    services.delete_post(alice, post)
    assert not Post.objects.filter(account=bob).exists()


def test_delete_removes_likes_and_bookmarks(alice, bob):
    post = services.create_post(alice, "bye")
    services.favourite(bob, post)
    services.bookmark(bob, post)
    services.delete_post(alice, post)
    assert not Favourite.objects.exists()
    assert not Bookmark.objects.exists()


def test_deleting_a_reply_uncounts_it_on_the_parent(alice, bob):
    root = services.create_post(alice, "root")
    reply = services.create_post(bob, "reply", in_reply_to=root)
    services.delete_post(bob, reply)
    assert fresh(root).replies_count == 0


def test_deleting_a_post_deletes_its_media_files(alice, django_capture_on_commit_callbacks):
    media = upload_media(alice, image_bytes())
    post = services.create_post(alice, "pic", media=[media])
    storage, name = media.file.storage, media.file.name
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_post(alice, post)
    assert not Media.objects.exists()
    assert not storage.exists(name)


def test_only_the_author_can_delete(alice, bob):
    post = services.create_post(alice, "mine")
    with pytest.raises(PostError):
        services.delete_post(bob, post)
    assert Post.objects.filter(pk=post.pk).exists()


def test_a_moderator_can_delete_anyones_post(alice, bob):
    post = services.create_post(alice, "bad")
    services.delete_post(bob, post, as_moderator=True)
    assert not Post.objects.filter(pk=post.pk).exists()
    assert fresh(alice).statuses_count == 0


# --- polls ------------------------------------------------------------------------

def make_poll(author, options=("Tea", "Coffee", "Water"), *, multiple=False):
    post = services.create_post(
        author, "Drink?",
        poll=services.PollSpec(list(options), timedelta(days=1), multiple=multiple),
    )
    return post.poll


def expire(poll: Poll) -> None:
    Poll.objects.filter(pk=poll.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    poll.refresh_from_db()


def test_vote_is_recorded_and_counted(alice, bob):
    poll = make_poll(alice)
    services.vote(bob, poll, [1])
    assert services.poll_results(poll) == ([0, 1, 0], 1, 1)


def test_voting_twice_is_refused(alice, bob):
    poll = make_poll(alice)
    services.vote(bob, poll, [0])
    with pytest.raises(PostError):
        services.vote(bob, poll, [1])
    assert services.poll_results(poll) == ([1, 0, 0], 1, 1)


def test_multiple_choice_poll_takes_several_choices(alice, bob):
    poll = make_poll(alice, multiple=True)
    services.vote(bob, poll, [0, 2])
    assert services.poll_results(poll) == ([1, 0, 1], 2, 1)


def test_single_choice_poll_refuses_several_choices(alice, bob):
    poll = make_poll(alice)
    with pytest.raises(PostError):
        services.vote(bob, poll, [0, 1])
    assert not PollVote.objects.exists()


@pytest.mark.parametrize("choices", [[], [3], [-1]])
def test_vote_outside_the_options_is_refused(alice, bob, choices):
    with pytest.raises(PostError):
        services.vote(bob, make_poll(alice), choices)


def test_voting_in_ones_own_poll_is_refused(alice):
    with pytest.raises(PostError):
        services.vote(alice, make_poll(alice), [0])


def test_voting_in_an_expired_poll_is_refused(alice, bob):
    poll = make_poll(alice)
    expire(poll)
    with pytest.raises(PostError):
        services.vote(bob, poll, [0])


def test_voting_in_an_invisible_poll_is_refused(alice, bob):
    post = services.create_post(
        alice, "?", visibility="private",
        poll=services.PollSpec(["a", "b"], timedelta(days=1)),
    )
    with pytest.raises(NotVisible):
        services.vote(bob, post.poll, [0])


def test_poll_duration_outside_5_minutes_to_30_days_is_refused(alice):
    for duration in (timedelta(minutes=4), timedelta(days=31)):
        with pytest.raises(PostError):
            services.create_post(alice, "?", poll=services.PollSpec(["a", "b"], duration))


def test_end_poll_does_nothing_before_expiry(alice):
    poll = make_poll(alice)
    assert services.end_poll(poll.pk) is False
    assert not fresh(poll).closed


def test_end_poll_notifies_voters_and_author_exactly_once(alice, bob, carol):
    poll = make_poll(alice, multiple=True)
    services.vote(bob, poll, [0, 1])
    services.vote(carol, poll, [2])
    expire(poll)
    assert services.end_poll(poll.pk) is True
    assert services.end_poll(poll.pk) is False
    assert services.end_expired_polls() == 0
    told = Notification.objects.filter(type="poll", post=poll.post)
    assert sorted(n.account.username for n in told) == ["alice", "bob", "carol"]
    assert fresh(poll).closed


def test_end_expired_polls_sweeps_forgotten_polls(alice, bob):
    poll = make_poll(alice)
    expire(poll)
    assert services.end_expired_polls() == 1
    assert fresh(poll).closed

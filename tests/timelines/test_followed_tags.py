"""Followed hashtags: their public posts join home, within the reader's blocks,
mutes and the public timelines' rules; following and unfollowing."""

from __future__ import annotations

import pytest
from django.utils import timezone

from rostra.accounts import services as accounts
from rostra.accounts.domain_blocks import block_domain
from rostra.accounts.models import Account
from rostra.posts import services as posts
from rostra.posts.models import Tag
from rostra.streaming import streams
from rostra.timelines import followed_tags
from rostra.timelines import services as timelines
from rostra.timelines.errors import TimelineError
from rostra.timelines.lists import add_accounts, create_list
from rostra.timelines.models import TagFollow
from rostra.timelines.pagination import Page
from tests.factories import make_account, make_post

pytestmark = pytest.mark.django_db
PAGE = Page(limit=40)


def ids(items) -> list[int]:
    return [p.pk for p in items]


def test_following_a_tag_brings_its_public_posts_into_home(alice, bob):
    followed_tags.follow_tag(alice, "Climate")
    tagged = make_post(bob, "Heat records again #climate")
    make_post(bob, "Nothing to see")
    assert ids(timelines.home(alice, PAGE)) == [tagged.pk]


def test_a_tag_followed_later_shows_its_earlier_posts_at_once(alice, bob):
    tagged = make_post(bob, "before #Europe")
    followed_tags.follow_tag(alice, "#europe")
    assert ids(timelines.home(alice, PAGE)) == [tagged.pk]


def test_home_merges_follows_and_tags_newest_first_each_post_once(alice, bob, carol):
    accounts.follow(alice, bob)
    followed_tags.follow_tag(alice, "cats")
    followed_tags.follow_tag(alice, "dogs")
    first = make_post(bob, "followed and tagged #cats #dogs")
    second = make_post(carol, "tagged only #dogs")
    third = make_post(bob, "followed only")
    fourth = make_post(alice, "my own #cats")
    assert ids(timelines.home(alice, PAGE)) == [fourth.pk, third.pk, second.pk, first.pk]


def test_home_pages_through_the_merged_timeline(alice, bob, carol):
    accounts.follow(alice, bob)
    followed_tags.follow_tag(alice, "cats")
    made = [make_post(bob if i % 2 else carol, f"post {i} #cats" if i % 2 == 0 else f"post {i}")
            for i in range(7)]
    newest_first = [p.pk for p in reversed(made)]
    first = ids(timelines.home(alice, Page(limit=3)))
    second = ids(timelines.home(alice, Page(max_id=first[-1], limit=3)))
    third = ids(timelines.home(alice, Page(max_id=second[-1], limit=3)))
    assert first + second + third == newest_first
    assert ids(timelines.home(alice, Page(min_id=newest_first[5], limit=2))) == newest_first[3:5]
    assert ids(timelines.home(alice, Page(since_id=newest_first[2], limit=40))) == \
        newest_first[:2]


@pytest.mark.parametrize("visibility", ["unlisted", "private", "direct"])
def test_only_public_posts_come_through_a_tag(alice, bob, visibility):
    followed_tags.follow_tag(alice, "cats")
    make_post(bob, "not public #cats", visibility=visibility)
    assert timelines.home(alice, PAGE) == []


def test_blocked_muted_and_server_blocked_authors_stay_out(alice, bob, carol):
    far = Account.objects.create(username="far", domain="far.example")
    followed_tags.follow_tag(alice, "cats")
    make_post(bob, "#cats from a blocked account")
    make_post(carol, "#cats from a muted account")
    make_post(far, "#cats from a blocked server", source="federation")
    kept = make_post(make_account(), "#cats from someone else")
    accounts.block(alice, bob)
    accounts.mute(alice, carol)
    block_domain(alice, "far.example")
    assert ids(timelines.home(alice, PAGE)) == [kept.pk]


def test_removed_limited_and_suspended_authors_posts_stay_out(alice, bob, carol):
    dave = make_account()
    followed_tags.follow_tag(alice, "cats")
    removed = make_post(bob, "#cats removed")
    posts.Post.objects.filter(pk=removed.pk).update(removed_at=timezone.now())
    make_post(carol, "#cats by a limited account")
    Account.objects.filter(pk=carol.pk).update(limited_at=timezone.now())
    make_post(dave, "#cats by a suspended account")
    Account.objects.filter(pk=dave.pk).update(suspended_at=timezone.now())
    assert timelines.home(alice, PAGE) == []


def test_boosts_of_tagged_posts_do_not_repeat_them(alice, bob, carol):
    followed_tags.follow_tag(alice, "cats")
    tagged = make_post(bob, "#cats original")
    posts.reblog(carol, tagged)
    assert ids(timelines.home(alice, PAGE)) == [tagged.pk]


def test_exclusive_list_members_stay_in_their_list(alice, bob):
    accounts.follow(alice, bob)
    add_accounts(create_list(alice, "Work", exclusive=True), [bob])
    followed_tags.follow_tag(alice, "cats")
    make_post(bob, "#cats from a list member")
    assert timelines.home(alice, PAGE) == []


def test_unfollowing_takes_the_tag_posts_out_again(alice, bob):
    followed_tags.follow_tag(alice, "cats")
    make_post(bob, "#cats")
    assert followed_tags.unfollow_tag(alice, "CATS") is not None
    assert timelines.home(alice, PAGE) == []
    assert followed_tags.unfollow_tag(alice, "nosuchtag") is None


def test_another_readers_home_is_unchanged(alice, bob, carol):
    followed_tags.follow_tag(alice, "cats")
    make_post(bob, "#cats")
    assert timelines.home(carol, PAGE) == []


def test_following_twice_keeps_one_row_and_creates_an_unknown_tag(alice):
    tag = followed_tags.follow_tag(alice, "#NewTopic")
    again = followed_tags.follow_tag(alice, "newtopic")
    assert tag.pk == again.pk and tag.display_name == "NewTopic"
    assert TagFollow.objects.filter(account=alice).count() == 1
    assert Tag.objects.filter(name="newtopic").count() == 1


@pytest.mark.parametrize("name", ["", "#", "123", "two words", "a/b", "x" * 201])
def test_an_invalid_name_is_refused(alice, name):
    with pytest.raises(TimelineError) as caught:
        followed_tags.follow_tag(alice, name)
    assert caught.value.field == "name"
    assert not TagFollow.objects.filter(account=alice).exists()


def test_the_number_of_followed_tags_is_capped(alice, monkeypatch):
    monkeypatch.setattr(followed_tags, "MAX_FOLLOWED", 2)
    followed_tags.follow_tag(alice, "one")
    followed_tags.follow_tag(alice, "two")
    followed_tags.follow_tag(alice, "two")  # already followed: no error
    with pytest.raises(TimelineError, match="at most 2"):
        followed_tags.follow_tag(alice, "three")


def test_deleting_the_account_removes_its_tag_follows(alice):
    followed_tags.follow_tag(alice, "cats")
    alice.delete()
    assert not TagFollow.objects.exists()


# --- streaming: home's live stream follows the same rule ---------------------------

def test_a_tagged_public_post_is_streamed_to_the_tags_followers(alice, bob, carol):
    followed_tags.follow_tag(alice, "cats")
    followed_tags.follow_tag(carol, "cats")
    accounts.block(carol, bob)
    post = make_post(bob, "#cats live")
    recipients = streams.home_recipients(post)
    assert alice.pk in recipients and carol.pk not in recipients and bob.pk not in recipients


def test_a_followers_only_tagged_post_is_not_streamed_to_tag_followers(alice, bob):
    followed_tags.follow_tag(alice, "cats")
    post = make_post(bob, "#cats for followers", visibility="private")
    assert alice.pk not in streams.home_recipients(post)


def test_a_limited_authors_tagged_post_is_not_streamed_to_tag_followers(alice, bob):
    followed_tags.follow_tag(alice, "cats")
    Account.objects.filter(pk=bob.pk).update(limited_at=timezone.now())
    bob.refresh_from_db()
    post = make_post(bob, "#cats quietly")
    assert alice.pk not in streams.home_recipients(post)


def test_a_server_blocking_tag_follower_is_not_streamed_to(alice):
    far = Account.objects.create(username="far", domain="far.example")
    followed_tags.follow_tag(alice, "cats")
    block_domain(alice, "far.example")
    post = make_post(far, "#cats from afar", source="federation")
    assert alice.pk not in streams.home_recipients(post)

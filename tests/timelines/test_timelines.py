"""Timelines: home, local, public, tag, profile, thread, pagination."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from rostra.accounts import services as accounts
from rostra.accounts.models import Account, Mute
from rostra.posts import services as posts
from rostra.posts.media import upload_media
from rostra.timelines import services as timelines
from rostra.timelines.pagination import Page, paginate
from tests.factories import image_bytes, make_account, make_post

PAGE = Page(limit=40)


def ids(items) -> list[int]:
    return [p.pk for p in items]


# --- home -------------------------------------------------------------------------

def test_home_shows_own_and_followed_posts_newest_first(alice, bob):
    accounts.follow(alice, bob)
    first = make_post(bob, "one")
    second = make_post(alice, "two")
    third = make_post(bob, "three")
    assert ids(timelines.home(alice, PAGE)) == [third.pk, second.pk, first.pk]


def test_home_is_chronological_by_publication_date(alice, bob):
    accounts.follow(alice, bob)
    recent = make_post(bob, "recent")
    imported = make_post(bob, "old", published=datetime(2014, 1, 1, tzinfo=UTC))
    assert ids(timelines.home(alice, PAGE)) == [recent.pk, imported.pk]


def test_home_leaves_out_strangers(alice, bob):
    make_post(bob, "stranger")
    assert timelines.home(alice, PAGE) == []


def test_home_shows_a_new_follows_earlier_posts_at_once(alice, bob):
    post = make_post(bob, "before the follow")
    accounts.follow(alice, bob)
    assert ids(timelines.home(alice, PAGE)) == [post.pk]


def test_home_drops_posts_after_unfollowing(alice, bob):
    accounts.follow(alice, bob)
    make_post(bob, "hi")
    accounts.unfollow(alice, bob)
    assert timelines.home(alice, PAGE) == []


def test_home_shows_boosts_by_followed_accounts(alice, bob, carol):
    accounts.follow(alice, bob)
    boost = posts.reblog(bob, make_post(carol, "boost me"))
    assert ids(timelines.home(alice, PAGE)) == [boost.pk]


def test_home_hides_boosts_when_show_reblogs_is_off(alice, bob, carol):
    accounts.follow(alice, bob, show_reblogs=False)
    own = make_post(bob, "own words")
    posts.reblog(bob, make_post(carol, "boost me"))
    assert ids(timelines.home(alice, PAGE)) == [own.pk]


def test_home_shows_replies_between_followed_accounts(alice, bob, carol):
    accounts.follow(alice, bob)
    accounts.follow(alice, carol)
    reply = make_post(carol, "reply", in_reply_to=make_post(bob, "root"))
    assert reply.pk in ids(timelines.home(alice, PAGE))


def test_home_shows_replies_to_the_viewer(alice, bob):
    accounts.follow(alice, bob)
    reply = make_post(bob, "reply", in_reply_to=make_post(alice, "mine"))
    assert reply.pk in ids(timelines.home(alice, PAGE))


def test_home_hides_replies_to_accounts_not_followed(alice, bob, carol):
    accounts.follow(alice, bob)
    reply = make_post(bob, "reply", in_reply_to=make_post(carol, "root"))
    assert reply.pk not in ids(timelines.home(alice, PAGE))


def test_home_respects_mutes(alice, bob):
    accounts.follow(alice, bob)
    make_post(bob, "muted")
    accounts.mute(alice, bob)
    assert timelines.home(alice, PAGE) == []


def test_home_shows_again_after_a_mute_expires(alice, bob):
    accounts.follow(alice, bob)
    post = make_post(bob, "muted for a while")
    mute = accounts.mute(alice, bob, duration=timedelta(hours=1))
    Mute.objects.filter(pk=mute.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert ids(timelines.home(alice, PAGE)) == [post.pk]


def test_home_hides_boosts_of_muted_accounts(alice, bob, carol):
    accounts.follow(alice, bob)
    posts.reblog(bob, make_post(carol, "boost me"))
    accounts.mute(alice, carol)
    assert timelines.home(alice, PAGE) == []


def test_home_hides_boosts_of_blocked_accounts(alice, bob, carol):
    accounts.follow(alice, bob)
    posts.reblog(bob, make_post(carol, "boost me"))
    accounts.block(alice, carol)
    assert timelines.home(alice, PAGE) == []


def test_home_shows_followers_only_posts_of_followed_accounts(alice, bob):
    accounts.follow(alice, bob)
    post = make_post(bob, "friends", visibility="private")
    assert ids(timelines.home(alice, PAGE)) == [post.pk]


def test_home_hides_direct_posts_not_addressed_to_the_viewer(alice, bob, carol):
    accounts.follow(alice, bob)
    make_post(bob, "@carol psst", visibility="direct")
    assert timelines.home(alice, PAGE) == []


def test_home_shows_direct_posts_addressed_to_the_viewer_by_followed(alice, bob):
    accounts.follow(alice, bob)
    post = make_post(bob, "@alice psst", visibility="direct")
    assert ids(timelines.home(alice, PAGE)) == [post.pk]


def test_quiet_posts_stay_out_of_followers_home(alice, bob):
    accounts.follow(alice, bob)
    make_post(bob, "imported", quiet=True, source="import")
    assert timelines.home(alice, PAGE) == []


def test_quiet_posts_are_in_the_authors_own_home(alice):
    post = make_post(alice, "imported", quiet=True, source="import")
    assert ids(timelines.home(alice, PAGE)) == [post.pk]


def test_home_hides_posts_of_a_suspended_followed_account(alice, bob):
    accounts.follow(alice, bob)
    make_post(bob, "before suspension")
    Account.objects.filter(pk=bob.pk).update(suspended_at=timezone.now())
    assert timelines.home(alice, PAGE) == []


def test_home_hides_boosts_of_a_suspended_accounts_post(alice, bob, carol):
    accounts.follow(alice, bob)
    boost = posts.reblog(bob, make_post(carol, "boosted, then suspended"))
    assert ids(timelines.home(alice, PAGE)) == [boost.pk]
    Account.objects.filter(pk=carol.pk).update(suspended_at=timezone.now())
    assert timelines.home(alice, PAGE) == []


# --- local, public, tag -------------------------------------------------------------

def test_local_shows_public_posts_newest_first(alice, bob):
    first, second = make_post(alice, "one"), make_post(bob, "two")
    assert ids(timelines.local(None, PAGE)) == [second.pk, first.pk]


@pytest.mark.parametrize("visibility", ["unlisted", "private", "direct"])
def test_local_and_public_exclude_non_public_posts(alice, visibility):
    make_post(alice, "not for the world", visibility=visibility)
    assert timelines.local(None, PAGE) == []
    assert timelines.public(None, PAGE) == []


def test_local_excludes_replies_to_others(alice, bob):
    root = make_post(alice, "root")
    make_post(bob, "reply", in_reply_to=root)
    assert ids(timelines.local(None, PAGE)) == [root.pk]


def test_local_includes_self_replies(alice):
    root = make_post(alice, "1/2")
    follow_up = make_post(alice, "2/2", in_reply_to=root)
    assert ids(timelines.local(None, PAGE)) == [follow_up.pk, root.pk]


def test_local_excludes_boosts(alice, bob):
    post = make_post(alice, "boost me")
    posts.reblog(bob, post)
    assert ids(timelines.local(None, PAGE)) == [post.pk]


def test_local_excludes_remote_posts_public_includes_them(alice):
    remote = Account.objects.create(username="far", domain="remote.example")
    theirs = make_post(remote, "from afar", source="federation")
    ours = make_post(alice, "from here")
    assert ids(timelines.local(None, PAGE)) == [ours.pk]
    assert ids(timelines.public(None, PAGE)) == [ours.pk, theirs.pk]
    assert ids(timelines.public(None, PAGE, only_remote=True)) == [theirs.pk]


def test_local_hides_muted_and_blocked_accounts_from_the_viewer(alice, bob, carol):
    make_post(bob, "muted"), make_post(carol, "blocked")
    accounts.mute(alice, bob)
    accounts.block(carol, alice)
    assert timelines.local(alice, PAGE) == []


def test_tag_shows_public_posts_with_the_tag_case_insensitively(alice):
    tagged = make_post(alice, "#Rostra rocks")
    make_post(alice, "untagged")
    assert ids(timelines.tag(None, "rostra", PAGE)) == [tagged.pk]
    assert ids(timelines.tag(None, "ROSTRA", PAGE)) == [tagged.pk]


def test_tag_excludes_unlisted_posts(alice):
    make_post(alice, "#rostra quietly", visibility="unlisted")
    assert timelines.tag(None, "rostra", PAGE) == []


def test_unknown_tag_is_empty(db):
    assert timelines.tag(None, "nothing", PAGE) == []


# --- profile ------------------------------------------------------------------------

def test_profile_hides_replies_to_others_by_default(alice, bob):
    own = make_post(alice, "own")
    reply = make_post(alice, "reply", in_reply_to=make_post(bob, "theirs"))
    assert ids(timelines.profile(None, alice, PAGE)) == [own.pk]
    assert ids(timelines.profile(None, alice, PAGE, with_replies=True)) == [reply.pk, own.pk]


def test_profile_only_media_tab(alice):
    pic = make_post(alice, "pic", media=[upload_media(alice, image_bytes())])
    make_post(alice, "words")
    assert ids(timelines.profile(None, alice, PAGE, only_media=True)) == [pic.pk]


def test_profile_shows_boosts_unless_excluded(alice, bob):
    boost = posts.reblog(alice, make_post(bob, "boost me"))
    assert ids(timelines.profile(None, alice, PAGE)) == [boost.pk]
    assert timelines.profile(None, alice, PAGE, exclude_reblogs=True) == []


def test_pinned_posts_are_listed(alice):
    post = make_post(alice, "pinned")
    make_post(alice, "not pinned")
    posts.pin(alice, post)
    assert ids(timelines.pinned(None, alice)) == [post.pk]


# --- thread -------------------------------------------------------------------------

def test_thread_gives_ancestors_oldest_first_and_descendants_in_reading_order(alice, bob):
    root = make_post(alice, "root")
    a = make_post(bob, "a", in_reply_to=root)
    a1 = make_post(alice, "a1", in_reply_to=a)
    b = make_post(bob, "b", in_reply_to=root)
    a2 = make_post(bob, "a2", in_reply_to=a)
    a1x = make_post(bob, "a1x", in_reply_to=a1)
    ancestors, descendants = timelines.thread(None, a1)
    assert ids(ancestors) == [root.pk, a.pk]
    assert ids(descendants) == [a1x.pk]
    _, from_root = timelines.thread(None, root)
    assert ids(from_root) == [a.pk, a1.pk, a1x.pk, a2.pk, b.pk]
    assert [p.depth for p in from_root] == [1, 2, 3, 2, 1]


def test_thread_hides_replies_the_viewer_may_not_see(alice, bob, carol):
    root = make_post(alice, "root")
    make_post(bob, "friends only", visibility="private", in_reply_to=root)
    visible = make_post(carol, "public", in_reply_to=root)
    _, descendants = timelines.thread(None, root)
    assert ids(descendants) == [visible.pk]


def test_thread_hides_invisible_ancestors(alice, bob):
    accounts.follow(bob, alice)
    hidden = make_post(alice, "friends only", visibility="private")
    reply = make_post(bob, "reply", in_reply_to=hidden, visibility="public")
    ancestors, _ = timelines.thread(None, reply)
    assert ancestors == []


# --- bookmarks and favourites --------------------------------------------------------

def test_bookmarks_newest_bookmark_first(alice, bob):
    first, second = make_post(bob, "1"), make_post(bob, "2")
    posts.bookmark(alice, second)
    posts.bookmark(alice, first)
    assert ids(timelines.bookmarks(alice, PAGE)) == [first.pk, second.pk]


def test_favourites_drop_posts_no_longer_visible(alice, bob):
    post = make_post(bob, "liked")
    posts.favourite(alice, post)
    accounts.block(bob, alice)
    assert timelines.favourites(alice, PAGE) == []


# --- pagination ---------------------------------------------------------------------

@pytest.fixture
def five(db):
    author = make_account("pager")
    return author, [make_post(author, f"post {i}") for i in range(5)]


def test_max_id_gives_older_posts(five):
    author, made = five
    page = timelines.profile(None, author, Page(max_id=made[3].pk, limit=2))
    assert ids(page) == [made[2].pk, made[1].pk]


def test_since_id_gives_the_newest_posts_after_it(five):
    author, made = five
    page = timelines.profile(None, author, Page(since_id=made[1].pk, limit=2))
    assert ids(page) == [made[4].pk, made[3].pk]


def test_min_id_gives_the_page_just_after_it_newest_first(five):
    author, made = five
    page = timelines.profile(None, author, Page(min_id=made[1].pk, limit=2))
    assert ids(page) == [made[3].pk, made[2].pk]


def test_limit_is_clamped_and_bad_values_ignored():
    page = Page.from_params({"limit": "1000", "max_id": "abc", "since_id": "7"})
    assert (page.limit, page.max_id, page.since_id) == (40, None, 7)
    assert Page.from_params({"limit": "0"}).limit == 20
    assert Page.from_params({"limit": "-5"}).limit == 1


def test_paging_with_max_id_walks_the_whole_timeline_once(five):
    author, made = five
    seen, page = [], Page(limit=2)
    while True:
        batch = timelines.profile(None, author, page)
        if not batch:
            break
        seen += ids(batch)
        page = Page(max_id=batch[-1].pk, limit=2)
    assert seen == ids(made[::-1])


def test_paginate_orders_by_id_descending(five):
    author, made = five
    assert ids(paginate(author.posts.all(), Page(limit=3))) == ids(made[::-1][:3])

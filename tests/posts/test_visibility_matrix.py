"""The privacy proof: who sees a post, through every door that reads posts.

One post by ``author``, a reply to the author's own public post, carrying a hashtag
and a searchable word, mentions ``named`` (who does not follow), and also the two
accounts on either side of a block — a mention never outweighs a block. Each
visibility × viewer pair is checked through ``can_see``, ``visible_q``, every
timeline, the thread view, search and notifications.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from rostra.accounts import services as accounts
from rostra.accounts.models import Account
from rostra.notifications.models import Notification
from rostra.posts import services as posts
from rostra.posts.models import Post
from rostra.posts.search import search_posts
from rostra.posts.visibility import can_see, visible_posts, who_can_see
from rostra.timelines import services as timelines
from rostra.timelines.pagination import Page
from tests import factories

VISIBILITIES = ["public", "unlisted", "private", "direct"]
VIEWERS = ["anonymous", "author", "follower", "mentioned", "stranger", "blocked", "blocker"]

# Who may see the post, by the rule in posts.visibility.
SEES = {
    "public": {"anonymous", "author", "follower", "mentioned", "stranger"},
    "unlisted": {"anonymous", "author", "follower", "mentioned", "stranger"},
    "private": {"author", "follower", "mentioned"},
    "direct": {"author", "mentioned"},
}


@dataclass
class World:
    accounts: dict[str, Account]
    root: Post
    post: Post

    def viewer(self, name: str) -> Account | None:
        return None if name == "anonymous" else self.accounts[name]


def build_world(visibility: str) -> World:
    names = ["author", "follower", "mentioned", "stranger", "blocked", "blocker"]
    acc = {name: factories.make_account(f"m_{name}") for name in names}
    a = acc["author"]
    accounts.follow(acc["follower"], a, notify=True)
    # Both sides of the block followed before it; the block must end that.
    accounts.follow(acc["blocked"], a, notify=True)
    accounts.follow(acc["blocker"], a, notify=True)
    accounts.block(a, acc["blocked"])
    accounts.block(acc["blocker"], a)
    root = factories.make_post(a, "a public start")
    post = factories.make_post(
        a,
        "@m_mentioned @m_blocked @m_blocker secret plans #matrixtag zanzibar",
        visibility=visibility,
        in_reply_to=root,
    )
    return World(acc, root, post)


def _ids(items) -> set[int]:
    return {p.pk for p in items}


PAGE = Page(limit=40)


def door_can_see(world, viewer):
    return can_see(viewer, world.post)


def door_who_can_see(world, viewer):
    everyone = [a.pk for a in world.accounts.values()]
    return viewer.pk in who_can_see(world.post, everyone)


def door_visible_q(world, viewer):
    return visible_posts(viewer).filter(pk=world.post.pk).exists()


def door_profile(world, viewer):
    return world.post.pk in _ids(timelines.profile(viewer, world.post.account, PAGE))


def door_thread(world, viewer):
    _, descendants = timelines.thread(viewer, world.root)
    return world.post.pk in _ids(descendants)


def door_search(world, viewer):
    return search_posts("zanzibar", viewer).filter(pk=world.post.pk).exists()


def door_local(world, viewer):
    return world.post.pk in _ids(timelines.local(viewer, PAGE))


def door_public(world, viewer):
    return world.post.pk in _ids(timelines.public(viewer, PAGE))


def door_tag(world, viewer):
    return world.post.pk in _ids(timelines.tag(viewer, "matrixtag", PAGE))


def door_home(world, viewer):
    return world.post.pk in _ids(timelines.home(viewer, PAGE))


def door_notification(world, viewer):
    return Notification.objects.filter(account=viewer, post=world.post).exists()


def expected(door: str, visibility: str, viewer: str) -> bool:
    sees = viewer in SEES[visibility]
    if door in ("local", "public", "tag"):
        return sees and visibility == "public"
    if door == "home":
        return sees and viewer in ("author", "follower")
    if door == "notification":
        # The mentioned are told of a mention, notify-followers of a new post;
        # only when they may see it, never the author, never across a block.
        return sees and viewer in ("mentioned", "follower")
    return sees


DOORS = {
    "can_see": door_can_see,
    "visible_q": door_visible_q,
    "who_can_see": door_who_can_see,
    "profile": door_profile,
    "thread": door_thread,
    "search": door_search,
    "local": door_local,
    "public": door_public,
    "tag": door_tag,
    "home": door_home,
    "notification": door_notification,
}
NEEDS_ACCOUNT = {"home", "notification", "who_can_see"}

CASES = [
    pytest.param(door, visibility, viewer, id=f"{door}-{visibility}-{viewer}")
    for door in DOORS
    for visibility in VISIBILITIES
    for viewer in VIEWERS
    if not (viewer == "anonymous" and door in NEEDS_ACCOUNT)
]


@pytest.mark.django_db
@pytest.mark.parametrize(("door", "visibility", "viewer"), CASES)
def test_post_is_seen_exactly_by_whom_the_rule_allows(door, visibility, viewer):
    world = build_world(visibility)
    seen = DOORS[door](world, world.viewer(viewer))
    assert seen == expected(door, visibility, viewer), (
        f"{viewer} {'sees' if seen else 'does not see'} a {visibility} post through {door}"
    )


# --- boosts across blocks ----------------------------------------------------------

@pytest.fixture
def boost_world(db):
    """``viewer`` follows ``booster``, who boosts a public post by ``boosted``."""
    viewer, booster, boosted = (factories.make_account(n) for n in ("v", "booster", "boosted"))
    accounts.follow(viewer, booster)
    original = factories.make_post(boosted, "worth a boost")
    boost = posts.reblog(booster, original)
    return viewer, booster, boosted, boost


@pytest.mark.parametrize("direction", ["viewer_blocks_author", "author_blocks_viewer"])
def test_boost_of_a_post_across_a_block_is_hidden_everywhere(boost_world, direction):
    viewer, booster, boosted, boost = boost_world
    if direction == "viewer_blocks_author":
        accounts.block(viewer, boosted)
    else:
        accounts.block(boosted, viewer)
    assert not can_see(viewer, boost)
    assert viewer.pk not in who_can_see(boost, [viewer.pk, booster.pk])
    assert not visible_posts(viewer).filter(pk=boost.pk).exists()
    assert boost.pk not in _ids(timelines.home(viewer, PAGE))
    assert boost.pk not in _ids(timelines.profile(viewer, booster, PAGE))


def test_boost_is_visible_without_a_block(boost_world):
    viewer, booster, _, boost = boost_world
    assert can_see(viewer, boost)
    assert who_can_see(boost, [viewer.pk, booster.pk]) == {viewer.pk, booster.pk}
    assert visible_posts(viewer).filter(pk=boost.pk).exists()
    assert boost.pk in _ids(timelines.home(viewer, PAGE))
    assert boost.pk in _ids(timelines.profile(viewer, booster, PAGE))


def test_boost_of_a_suspended_accounts_post_is_hidden(boost_world):
    from django.utils import timezone

    viewer, booster, boosted, boost = boost_world
    Account.objects.filter(pk=boosted.pk).update(suspended_at=timezone.now())
    boost = Post.objects.get(pk=boost.pk)
    assert not can_see(viewer, boost)
    assert who_can_see(boost, [viewer.pk]) == set()
    assert not visible_posts(viewer).filter(pk=boost.pk).exists()
    assert boost.pk not in _ids(timelines.profile(viewer, booster, PAGE))


def test_posts_of_a_suspended_account_are_hidden_from_others(db):
    from django.utils import timezone

    author, reader = factories.make_account("susp"), factories.make_account("reader")
    post = factories.make_post(author, "soon gone")
    Account.objects.filter(pk=author.pk).update(suspended_at=timezone.now())
    post = Post.objects.get(pk=post.pk)
    assert not can_see(reader, post)
    assert not can_see(None, post)
    assert not visible_posts(None).filter(pk=post.pk).exists()
    assert not visible_posts(reader).filter(pk=post.pk).exists()


def test_follower_may_not_see_followers_only_posts_after_unfollowing(db):
    author, reader = factories.make_account("was_followed"), factories.make_account("leaver")
    accounts.follow(reader, author)
    post = factories.make_post(author, "for followers", visibility="private")
    accounts.unfollow(reader, author)
    assert not can_see(reader, post)
    assert not visible_posts(reader).filter(pk=post.pk).exists()


def test_pending_follow_request_does_not_open_followers_only_posts(db):
    author = factories.make_account("locked_author", locked=True)
    reader = factories.make_account("asker")
    accounts.follow(reader, author)
    post = factories.make_post(author, "for followers", visibility="private")
    assert not can_see(reader, post)
    assert not visible_posts(reader).filter(pk=post.pk).exists()

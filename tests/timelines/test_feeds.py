"""Feeds: each built-in feed's ordering and explanation on a world whose answer is
known, the server's hydration step, purity (same inputs, same ranking hash) and
the defaults (home is chronological; nothing profiles)."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import timedelta

import pytest
from django.utils import timezone

from rostra.accounts import services as accounts
from rostra.accounts.models import Account
from rostra.posts import services as posts
from rostra.posts.models import Post
from rostra.timelines import feeds, lists
from rostra.timelines import services as timelines
from rostra.timelines.feeds import services as feed_services
from rostra.timelines.feeds.base import Inputs, Ranked, ranking_hash
from rostra.timelines.feeds.hydrate import hydrate
from rostra.timelines.pagination import Page
from tests.factories import make_account, make_post

pytestmark = pytest.mark.django_db
PAGE = Page(limit=40)


def ago(**delta):
    return timezone.now() - timedelta(**delta)


def read(viewer, key, page=PAGE):
    return feed_services.read(viewer, key, page)


def ids(result):
    return [p.pk for p in result.posts]


def reasons(result):
    return [p.ranked.reasons for p in result.posts]


def follow(viewer, *targets):
    for target in targets:
        accounts.follow(viewer, target)


def reply(author, to, text="reply"):
    return make_post(author, text, in_reply_to=to)


# --- catch up -----------------------------------------------------------------------

def test_catch_up_ranks_followed_posts_of_the_last_day_by_discussion(alice, bob, carol):
    dave = make_account("dave")
    follow(alice, bob, carol)
    quiet = make_post(bob, "nobody answered", published=ago(hours=1))
    talked = make_post(bob, "let's talk", published=ago(hours=5))
    liked = make_post(carol, "a nice picture", published=ago(hours=3))
    old = make_post(bob, "yesterday's news", published=ago(hours=30))
    reply(carol, talked), reply(dave, talked)
    reply(dave, liked)
    posts.favourite(dave, liked)
    for who in (carol, dave):
        posts.favourite(who, old)
    result = read(alice, "catch_up")
    assert ids(result) == [talked.pk, liked.pk, quiet.pk]
    assert reasons(result)[0] == {"replies": 2, "boosts": 0, "likes": 0, "score": 4,
                                  "hours_ago": 5.0}
    assert reasons(result)[1]["score"] == 3
    assert old.pk not in ids(result)


def test_catch_up_leaves_out_strangers_boosts_replies_and_own_posts(alice, bob, carol):
    follow(alice, bob)
    mine = make_post(alice, "my own")
    strangers = make_post(carol, "not followed")
    posts.favourite(bob, strangers)
    posts.reblog(bob, strangers)
    answer = reply(bob, mine)
    result = read(alice, "catch_up")
    assert {mine.pk, strangers.pk, answer.pk} & set(ids(result)) == set()


# --- quiet voices -------------------------------------------------------------------

def test_quiet_voices_shows_rare_posters_newest_first_with_their_counts(alice, bob, carol):
    busy = make_account("busy")
    follow(alice, bob, carol, busy)
    for day in range(11):
        make_post(busy, f"again {day}", published=ago(days=day, hours=2))
    bob_old = make_post(bob, "once in a while", published=ago(days=10))
    bob_new = make_post(bob, "and again", published=ago(hours=4))
    carol_post = make_post(carol, "hello", published=ago(days=2))
    make_post(carol, "too long ago", published=ago(days=40))
    result = read(alice, "quiet_voices")
    assert ids(result) == [bob_new.pk, carol_post.pk, bob_old.pk]
    assert [r["author_posts"] for r in reasons(result)] == [2, 1, 2]
    assert reasons(result)[0]["hours_ago"] == 4.0


# --- topic --------------------------------------------------------------------------

def test_topic_hashtag_shows_public_posts_with_the_tag_newest_first(alice, bob, carol):
    first = make_post(bob, "#Cats are great", published=ago(hours=3))
    second = make_post(carol, "more #cats", published=ago(hours=1))
    make_post(carol, "#cats but followers only", visibility="private")
    make_post(bob, "#dogs")
    result = read(alice, "topic:tag:Cats")
    assert ids(result) == [second.pk, first.pk]
    assert reasons(result)[0] == {"hashtag": "#cats", "hours_ago": 1.0}
    assert result.choice.title == "#cats"


def test_topic_list_shows_the_members_posts(alice, bob, carol):
    follow(alice, bob, carol)
    friends = lists.create_list(alice, "Friends")
    lists.add_accounts(friends, [carol])
    theirs = make_post(carol, "in the list")
    make_post(bob, "not in the list")
    result = read(alice, f"topic:list:{friends.pk}")
    assert ids(result) == [theirs.pk]
    assert reasons(result)[0]["list"] == "Friends"


def test_topic_cannot_read_another_readers_list(alice, bob):
    theirs = lists.create_list(bob, "Secret")
    with pytest.raises(feeds.FeedError, match="not yours"):
        read(alice, f"topic:list:{theirs.pk}")


@pytest.mark.parametrize("key", ["topic", "topic:tag:", "topic:tag:no spaces",
                                 "topic:list:abc", "topic:user:bob", "nosuchfeed",
                                 "catch_up:extra"])
def test_bad_feed_keys_are_refused_with_a_message(alice, key):
    with pytest.raises(feeds.FeedError) as caught:
        read(alice, key)
    assert str(caught.value)


# --- trending -----------------------------------------------------------------------

def _liked(post, times):
    """``times`` likes from new accounts that follow the author (so they see it)."""
    for _ in range(times):
        fan = make_account()
        if post.account.local:
            accounts.follow(fan, post.account)
        posts.favourite(fan, post)


def test_trending_local_ranks_local_public_posts_by_boosts_likes_replies(alice, bob, carol):
    far = Account.objects.create(username="far", domain="remote.example")
    remote = make_post(far, "from afar", source="federation")
    top = make_post(bob, "popular")
    second = make_post(carol, "liked once")
    make_post(carol, "nobody cared")
    private = make_post(bob, "followers only", visibility="private")
    _liked(remote, 5), _liked(top, 2), _liked(second, 1), _liked(private, 3)
    posts.reblog(carol, top)
    result = read(alice, "trending_local")
    assert ids(result) == [top.pk, second.pk]
    assert reasons(result)[0] == {"score": 0.75, "accounts": 3, "servers": 1, "boosts": 1,
                                  "likes": 2, "replies": 0, "hours_ago": 0.0}


def test_trending_federated_includes_remote_posts(alice, bob):
    far = Account.objects.create(username="far", domain="remote.example")
    remote = make_post(far, "from afar", source="federation")
    ours = make_post(bob, "from here")
    _liked(remote, 3), _liked(ours, 1)
    assert ids(read(alice, "trending_federated")) == [remote.pk, ours.pk]


def test_trending_leaves_out_demoted_posts_and_muted_accounts(alice, bob, carol):
    demoted = make_post(bob, "demoted by moderators")
    muted = make_post(carol, "muted by alice")
    _liked(demoted, 2), _liked(muted, 2)
    Post.objects.filter(pk=demoted.pk).update(demoted=True)
    accounts.mute(alice, carol)
    assert ids(read(alice, "trending_federated")) == []


def test_ranked_feeds_page_with_cursors_into_the_ranking(alice, bob, carol):
    made = [make_post(bob if i % 2 else carol, f"post {i}") for i in range(5)]
    for i, post in enumerate(made):
        _liked(post, i + 1)
    first = read(alice, "trending_local", Page(limit=2))
    assert ids(first) == [made[4].pk, made[3].pk]
    second = read(alice, "trending_local", Page(max_id=made[3].pk, limit=2))
    assert ids(second) == [made[2].pk, made[1].pk]
    back = read(alice, "trending_local", Page(min_id=made[2].pk, limit=2))
    assert ids(back) == [made[4].pk, made[3].pk]


# --- chronological and defaults -------------------------------------------------------

def test_chronological_feed_is_the_home_timeline(alice, bob, carol):
    follow(alice, bob)
    made = [make_post(bob, "one"), make_post(carol, "stranger"), make_post(alice, "mine"),
            make_post(bob, "two")]
    posts.reblog(bob, made[1])
    result = read(alice, "chronological")
    assert ids(result) == [p.pk for p in timelines.home(alice, PAGE)]
    assert len(ids(result)) == 4
    assert all(r["order"] == "newest first" for r in reasons(result))


def test_the_default_is_chronological_and_needs_no_pin(alice):
    assert feeds.DEFAULT_FEED == "chronological"
    assert feeds.all_feeds()[0].id == "chronological"
    assert feed_services.pinned(alice) == []
    with pytest.raises(feeds.FeedError, match="always there"):
        feed_services.pin(alice, "chronological")


def test_no_built_in_feed_profiles_and_a_non_profiling_choice_exists():
    assert {f.id for f in feeds.all_feeds()} == {
        "chronological", "catch_up", "quiet_voices", "topic", "trending_local",
        "trending_federated", "generator"}
    assert [f.id for f in feeds.all_feeds() if f.profiling] == []


def test_pinning_is_opt_in_idempotent_and_reversible(alice):
    feed_services.pin(alice, "catch_up")
    feed_services.pin(alice, "catch_up")
    feed_services.pin(alice, "topic:tag:#News")
    assert [c.key for c in feed_services.pinned(alice)] == ["catch_up", "topic:tag:news"]
    feed_services.unpin(alice, "topic:tag:news")
    assert [c.key for c in feed_services.pinned(alice)] == ["catch_up"]


def test_a_profiling_feed_needs_consent_to_pin_and_a_pin_to_read(alice, monkeypatch):
    monkeypatch.setattr(type(feeds.get_feed("catch_up")), "profiling", True)
    with pytest.raises(feeds.FeedError, match="agree"):
        feed_services.pin(alice, "catch_up")
    with pytest.raises(feeds.FeedError, match="pin it first"):
        read(alice, "catch_up")
    feed_services.pin(alice, "catch_up", consent_to_profiling=True)
    assert read(alice, "catch_up").posts == []


def test_a_pinned_list_topic_disappears_with_its_list(alice, bob):
    follow(alice, bob)
    friends = lists.create_list(alice, "Friends")
    feed_services.pin(alice, f"topic:list:{friends.pk}")
    lists.delete_list(friends)
    assert feed_services.pinned(alice) == []


# --- hydration: the server's last word ------------------------------------------------

def _ranked(*post_ids):
    return [Ranked(i, 0, 0.0, {}) for i in post_ids]


def test_hydration_drops_unknown_private_direct_removed_and_demoted_posts(alice, bob, carol):
    follow(alice, carol)
    public = make_post(bob, "public")
    private = make_post(bob, "followers only", visibility="private")
    followed_private = make_post(carol, "for my followers", visibility="private")
    direct = make_post(bob, "@carol secret", visibility="direct")
    removed = make_post(bob, "removed")
    demoted = make_post(bob, "demoted")
    Post.objects.filter(pk=removed.pk).update(removed_at=timezone.now())
    Post.objects.filter(pk=demoted.pk).update(demoted=True)
    asked = _ranked(demoted.pk, 10**15, private.pk, followed_private.pk, direct.pk,
                    removed.pk, public.pk, public.pk)
    shown = hydrate(alice, asked, discoverable_only=True)
    assert [p.pk for p in shown] == [followed_private.pk, public.pk]
    chronological = hydrate(alice, asked, discoverable_only=False)
    assert [p.pk for p in chronological] == [demoted.pk, followed_private.pk, public.pk]


def test_hydration_drops_blocked_and_muted_authors(alice, bob, carol):
    blocked, muted = make_post(bob, "blocked"), make_post(carol, "muted")
    accounts.block(alice, bob)
    accounts.mute(alice, carol)
    assert hydrate(alice, _ranked(blocked.pk, muted.pk), discoverable_only=False) == []


def test_hydration_keeps_the_ranking_order_and_its_reasons(alice, bob):
    a, b = make_post(bob, "a"), make_post(bob, "b")
    ranked = [Ranked(a.pk, bob.pk, 2.0, {"score": 2}), Ranked(b.pk, bob.pk, 1.0, {"score": 1})]
    shown = hydrate(alice, ranked, discoverable_only=True)
    assert [(p.pk, p.ranked.reasons) for p in shown] == [(a.pk, {"score": 2}),
                                                         (b.pk, {"score": 1})]


# --- purity: same inputs, same ranking -----------------------------------------------

@pytest.fixture
def busy_world(alice, bob, carol):
    follow(alice, bob, carol)
    lst = lists.create_list(alice, "Friends")
    lists.add_accounts(lst, [bob])
    for i in range(6):
        post = make_post(bob if i % 2 else carol, f"#topic post {i}", published=ago(hours=i))
        for _ in range(i % 3):
            reply(alice, post)
        if i % 2:
            posts.favourite(carol, post)
    return {"list": lst.pk}


KEYS = ["chronological", "catch_up", "quiet_voices", "topic:tag:topic", "topic:list:{list}",
        "trending_local", "trending_federated"]


@pytest.mark.parametrize("key", KEYS)
def test_ranking_is_a_pure_function_of_the_inputs(alice, busy_world, key,
                                                  django_assert_num_queries):
    choice = feed_services.resolve(alice, key.format(**busy_world))
    feed = choice.feed
    inputs = feed.gather(alice, choice.choice, timezone.now(), PAGE)
    assert inputs.rows, "the world should give every feed something to rank"
    with django_assert_num_queries(0):  # rank reads nothing but its arguments
        ranked = feed.rank(alice, inputs)
        shuffled = list(inputs.rows)
        random.Random(7).shuffle(shuffled)
        again = feed.rank(alice, replace(inputs, rows=tuple(shuffled)))
    assert ranking_hash(feed.id, feed.version, inputs, ranked) == ranking_hash(
        feed.id, feed.version, replace(inputs, rows=tuple(shuffled)), again)
    assert {r.post_id for r in ranked} <= {r.post_id for r in inputs.rows}
    assert all(set(r.reasons) <= set(feed.factors) for r in ranked), \
        "every factor shown must have a plain-language label"


def test_ranking_hash_changes_with_version_inputs_or_order():
    inputs = Inputs(now=1000, rows=())
    ranked = [Ranked(2, 1, 1.0, {"score": 1}), Ranked(1, 1, 0.0, {"score": 0})]
    base = ranking_hash("f", 1, inputs, ranked)
    assert len(base) == 64
    assert base == ranking_hash("f", 1, Inputs(now=1000, rows=()), list(ranked))
    assert base != ranking_hash("f", 2, inputs, ranked)
    assert base != ranking_hash("f", 1, replace(inputs, now=1001), ranked)
    assert base != ranking_hash("f", 1, inputs, ranked[::-1])


def test_every_feed_declares_itself():
    for feed in feeds.all_feeds():
        assert feed.id and feed.name and len(feed.description) > 40
        assert feed.changelog[-1][0] == feed.version, f"{feed.id}: no changelog entry"
        assert feed.factors, f"{feed.id}: explains nothing"
        for parameter in feed.parameters:
            assert parameter.description and isinstance(parameter.value, int | float | str)

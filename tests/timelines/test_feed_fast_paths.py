"""The shortcuts that keep feeds fast (issue 9) give what the long way gives: the
capped count of quiet voices, trending candidates shared between readers, and the
page loader of the feeds' hydration."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rostra.accounts import services as accounts
from rostra.posts import services as posts
from rostra.posts.models import Media, Post
from rostra.posts.queries import load, with_relations
from rostra.timelines.feeds import services as feed_services
from rostra.timelines.feeds.quiet_voices import QUIET_MAX
from rostra.timelines.pagination import Page
from tests.factories import make_account, make_post

PAGE = Page(limit=40)


def ids(result):
    return [p.pk for p in result.posts]


def _liked(post, times):
    for _ in range(times):
        posts.favourite(make_account(), post)


@pytest.fixture
def shared_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.mark.django_db
def test_an_account_with_exactly_quiet_max_posts_is_quiet_and_one_more_is_busy(alice):
    edge, busy = make_account("edge"), make_account("busy")
    accounts.follow(alice, edge), accounts.follow(alice, busy)
    now = timezone.now()
    made = [make_post(edge, f"edge {n}", published=now - timedelta(hours=n + 1))
            for n in range(QUIET_MAX)]
    for n in range(QUIET_MAX + 1):
        make_post(busy, f"busy {n}", published=now - timedelta(hours=n + 1))
    result = feed_services.read(alice, "quiet_voices", PAGE)
    assert ids(result) == [p.pk for p in made]
    assert {p.ranked.reasons["author_posts"] for p in result.posts} == {QUIET_MAX}


@pytest.mark.django_db(transaction=True)
def test_trending_candidates_are_gathered_once_for_every_reader(alice, bob, shared_cache):
    popular, liked = make_post(alice, "popular"), make_post(alice, "liked once")
    _liked(popular, 2), _liked(liked, 1)
    with CaptureQueriesContext(connection) as first:
        assert ids(feed_services.read(alice, "trending_local", PAGE)) == [popular.pk, liked.pk]
    with CaptureQueriesContext(connection) as second:
        assert ids(feed_services.read(bob, "trending_local", PAGE)) == [popular.pk, liked.pk]
    # The scan of the window (ordered by the trend counts) and the voices ran once.
    scans = [q for q in first.captured_queries if "favourites_count" in q["sql"]
             and "ORDER BY" in q["sql"]]
    assert scans
    assert not [q for q in second.captured_queries if q["sql"] in {s["sql"] for s in scans}]
    assert len(second.captured_queries) < len(first.captured_queries)


@pytest.mark.django_db(transaction=True)
def test_a_readers_mutes_and_moderators_removals_apply_to_shared_candidates(
        alice, bob, carol, shared_cache):
    by_alice, by_carol, removed = (make_post(alice, "a"), make_post(carol, "c"),
                                   make_post(alice, "soon removed"))
    _liked(by_alice, 3), _liked(by_carol, 2), _liked(removed, 1)
    assert ids(feed_services.read(alice, "trending_local", PAGE)) == [
        by_alice.pk, by_carol.pk, removed.pk]
    accounts.mute(bob, carol)
    Post.objects.filter(pk=removed.pk).update(removed_at=timezone.now())
    assert ids(feed_services.read(bob, "trending_local", PAGE)) == [by_alice.pk]
    assert ids(feed_services.read(alice, "trending_local", PAGE)) == [by_alice.pk, by_carol.pk]


@pytest.mark.django_db
def test_candidates_seen_inside_a_transaction_are_not_shared(alice, shared_cache):
    _liked(make_post(alice, "not committed yet"), 1)
    assert len(feed_services.read(alice, "trending_local", PAGE).posts) == 1
    assert not any(k for k in cache._cache if "trending_local" in str(k))  # locmem


@pytest.mark.django_db
def test_load_gives_what_with_relations_gives_and_needs_no_more_queries(alice, bob):
    shown = make_post(alice, "look @bob")
    for position in (2, 0, 1):
        Media.objects.create(account=alice, post=shown, position=position)
    boost = posts.reblog(bob, shown)
    plain = make_post(bob, "nothing attached")
    qs = Post.objects.filter(pk__in=[shown.pk, boost.pk, plain.pk]).order_by("id")
    fast, slow = load(qs), list(with_relations(qs))
    assert [p.pk for p in fast] == [p.pk for p in slow]
    with CaptureQueriesContext(connection) as ctx:
        for a, b in zip(fast, slow, strict=True):
            assert [m.pk for m in a.media.all()] == [m.pk for m in b.media.all()]
            assert [m.account_id for m in a.mentions.all()] == [
                m.account_id for m in b.mentions.all()]
            if a.reblog_of_id:
                assert [m.pk for m in a.reblog_of.media.all()] == [
                    m.pk for m in b.reblog_of.media.all()]
            assert all(m.post.pk == a.pk for m in a.media.all())
    assert ctx.captured_queries == []
    assert [m.position for m in fast[0].media.all()] == [0, 1, 2]
    assert fast[0].media.filter(position=0).count() == 1  # still the post's own media


@pytest.mark.django_db
def test_a_feed_read_asks_for_the_viewers_mutes_and_blocks_once():
    viewer = make_account()
    author = make_account()
    accounts.follow(viewer, author)
    make_post(author, "hello")
    with CaptureQueriesContext(connection) as ctx:
        feed_services.read(viewer, "chronological", PAGE)
    tables = [q["sql"] for q in ctx.captured_queries]
    assert sum('FROM "accounts_mute"' in sql for sql in tables) == 1
    assert sum('FROM "accounts_block"' in sql for sql in tables) == 1


@pytest.mark.django_db
def test_outside_a_feed_read_a_new_block_is_seen_at_once():
    viewer, other = make_account(), make_account()
    assert other.pk not in accounts.blocked_account_ids(viewer)
    accounts.block(viewer, other)
    assert other.pk in accounts.blocked_account_ids(viewer)
    accounts.mute(viewer, other)
    assert other.pk in accounts.muted_account_ids(viewer)


@pytest.mark.django_db
def test_a_mute_made_between_two_feed_reads_hides_the_author_in_the_second():
    viewer, author = make_account(), make_account()
    accounts.follow(viewer, author)
    post = make_post(author, "hello")
    assert post.pk in ids(feed_services.read(viewer, "chronological", PAGE))
    accounts.mute(viewer, author)
    assert post.pk not in ids(feed_services.read(viewer, "chronological", PAGE))


@pytest.mark.django_db(transaction=True)
def test_quiet_voices_keep_who_is_quiet_for_a_while_but_read_posts_live(shared_cache):
    viewer, quiet = make_account(), make_account()
    accounts.follow(viewer, quiet)
    first = make_post(quiet, "a rare word")
    with CaptureQueriesContext(connection) as cold:
        assert ids(feed_services.read(viewer, "quiet_voices", PAGE)) == [first.pk]
    second = make_post(quiet, "another rare word")
    with CaptureQueriesContext(connection) as warm:
        assert ids(feed_services.read(viewer, "quiet_voices", PAGE)) == [second.pk, first.pk]
    assert len(warm.captured_queries) < len(cold.captured_queries)  # the counts were kept

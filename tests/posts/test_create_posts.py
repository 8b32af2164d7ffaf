"""``create_posts``: a batch through the one insertion path (archive imports)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from rostra.posts import services
from rostra.posts.errors import PostError
from rostra.posts.models import Mention, Post, PostTag
from rostra.posts.search import search_posts

pytestmark = pytest.mark.django_db
START = datetime(2016, 3, 1, tzinfo=UTC)


def test_a_batch_keeps_dates_threads_tags_mentions_and_counters(alice, bob):
    first = services.NewPost("Opening #Thread with @bob", published=START, quiet=True,
                             source="import")
    second = services.NewPost("More of the #thread", in_reply_to=first,
                              published=START + timedelta(minutes=1), quiet=True,
                              source="import")
    third = services.NewPost("And the end", in_reply_to=second,
                             published=START + timedelta(minutes=2), quiet=True,
                             source="import")
    with TestCase.captureOnCommitCallbacks(execute=True):
        made = services.create_posts(alice, [first, second, third])
    assert all(isinstance(p, Post) for p in made)
    a, b, c = (Post.objects.get(pk=p.pk) for p in made)
    assert [p.published for p in (a, b, c)] == [START + timedelta(minutes=m) for m in (0, 1, 2)]
    assert a.pk < b.pk < c.pk  # ids follow the original dates
    assert (b.in_reply_to_id, c.in_reply_to_id) == (a.pk, b.pk)
    assert b.thread_root_id == c.thread_root_id == a.pk
    assert (a.replies_count, b.replies_count, c.replies_count) == (1, 1, 0)
    assert list(PostTag.objects.filter(post=a).values_list("tag__name", flat=True)) == ["thread"]
    assert list(PostTag.objects.filter(post=b).values_list("tag__name", flat=True)) == ["thread"]
    assert Mention.objects.get(post=a).account == bob
    alice.refresh_from_db()
    assert alice.statuses_count == 3
    assert {p.pk for p in search_posts("end", alice)} == {c.pk}


def test_a_failing_post_comes_back_as_its_error_and_its_replies_fail_with_it(alice):
    ok = services.NewPost("Fine", published=START)
    too_long = services.NewPost("x" * 10_000, published=START + timedelta(minutes=1))
    orphan = services.NewPost("Reply to the long one", in_reply_to=too_long,
                              published=START + timedelta(minutes=2))
    made = services.create_posts(alice, [ok, too_long, orphan])
    assert isinstance(made[0], Post)
    assert isinstance(made[1], PostError) and made[1].field == "text"
    assert isinstance(made[2], PostError) and made[2].field == "in_reply_to"
    assert list(Post.objects.filter(account=alice).values_list("text", flat=True)) == ["Fine"]


def test_create_post_raises_what_create_posts_returns(alice):
    with pytest.raises(PostError):
        services.create_post(alice, "x" * 10_000)
    assert not Post.objects.exists()


def test_a_batch_costs_about_the_same_number_of_queries_whatever_its_size(alice, bob):
    """Ten times the posts, at most two more statements (SQLite takes 999 parameters
    per statement, so a long INSERT is split), not ten times the queries."""
    def batch(n, offset):
        return [services.NewPost(f"Post {i} #tag{i % 3} @bob", quiet=True, source="import",
                                 published=START + timedelta(minutes=offset + i))
                for i in range(n)]

    services.create_posts(alice, batch(3, 1000))  # the tags exist from here on
    counts = []
    for n, offset in ((5, 0), (50, 100)):
        with CaptureQueriesContext(connection) as queries:
            services.create_posts(alice, batch(n, offset))
        counts.append(len(queries))
    assert counts[1] <= counts[0] + 2, counts
    assert Post.objects.filter(account=alice).count() == 58

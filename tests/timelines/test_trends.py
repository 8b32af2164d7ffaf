"""Trends: counts over recent public posts, as their docstrings define them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from rostra.posts import services as posts
from rostra.posts.models import Tag
from rostra.timelines import trends
from tests import factories

pytestmark = pytest.mark.django_db


def test_tags_rank_by_distinct_accounts(alice, bob, carol):
    for author in (alice, bob):
        factories.make_post(author, "#shared news")
    for _ in range(3):
        factories.make_post(carol, "#solo again")
    found = trends.trending_tags()
    assert [t.subject.name for t in found] == ["shared", "solo"]
    assert (found[0].accounts, found[0].uses) == (2, 2)
    assert (found[1].accounts, found[1].uses) == (1, 3)


def test_tag_history_counts_today(alice, bob):
    factories.make_post(alice, "#day one")
    factories.make_post(alice, "#day two")
    history = trends.tag_history([Tag.objects.get(name="day")])
    today = next(iter(history.values()))[0]
    assert (today["uses"], today["accounts"]) == ("2", "1")
    assert len(next(iter(history.values()))) == trends.HISTORY_DAYS


def test_private_and_old_posts_do_not_trend(alice, bob):
    factories.make_post(alice, "#hidden", visibility="private")
    factories.make_post(bob, "#ancient", published=timezone.now() - timedelta(days=9))
    assert trends.trending_tags() == []


def test_statuses_rank_by_boosts_likes_and_replies(alice, bob, carol):
    quiet = factories.make_post(alice, "quiet")
    loud = factories.make_post(alice, "loud")
    liked = factories.make_post(bob, "liked")
    posts.favourite(carol, liked)
    posts.reblog(carol, loud)
    posts.favourite(bob, loud)
    found = trends.trending_statuses(None)
    assert [p.pk for p in found] == [loud.pk, liked.pk]
    assert quiet not in found


def test_links_rank_by_distinct_accounts(alice, bob):
    factories.make_post(alice, "read https://example.com/a")
    factories.make_post(bob, "also https://example.com/a and https://example.com/b")
    found = trends.trending_links()
    assert [(t.subject, t.accounts) for t in found] == [("https://example.com/a", 2),
                                                        ("https://example.com/b", 1)]


def test_remote_html_links_skip_mentions_and_hashtags(alice):
    post = factories.make_post(alice, "x")
    post.text = ""
    post.content = ('<p><a href="https://a.example/@bob" class="u-url mention">@bob</a> '
                    '<a href="https://a.example/tags/x" rel="tag">#x</a> '
                    '<a href="https://news.example/story">story</a></p>')
    assert trends.post_urls(post) == ["https://news.example/story"]

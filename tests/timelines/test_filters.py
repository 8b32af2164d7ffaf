"""Filters: keyword matching (whole words, case), contexts, expiry, warn/hide."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from rostra.posts import services as posts
from rostra.timelines import filters
from rostra.timelines.errors import TimelineError
from rostra.timelines.models import Filter
from tests import factories

pytestmark = pytest.mark.django_db


def test_whole_word_keyword_needs_word_boundaries():
    pattern = filters.keyword_pattern("cat", True)
    assert pattern.search("A CAT sat")
    assert not pattern.search("concatenate")
    assert filters.keyword_pattern("cat", False).search("concatenate")


def test_keyword_with_symbols_is_literal():
    assert filters.keyword_pattern("c++", True).search("I like C++ a lot")
    assert not filters.keyword_pattern("a.b", False).search("axb")


@given(st.text(max_size=30), st.booleans())
def test_any_keyword_compiles(keyword, whole):
    filters.keyword_pattern(keyword, whole).search("some text")


def test_warn_filter_annotates_and_hide_filter_drops(alice, bob):
    warn = filters.create_filter(alice, "Spoilers", ["home"], keywords=[("finale", True)])
    filters.create_filter(alice, "Nope", ["home"], filter_action="hide",
                          keywords=[("crypto", False)])
    a = factories.make_post(bob, "The FINALE was great")
    b = factories.make_post(bob, "cryptocurrency news")
    c = factories.make_post(bob, "nothing to see")
    kept = filters.apply(alice, [a, b, c], "home")
    assert kept == [a, c]
    assert [r.filter.pk for r in a.filter_results] == [warn.pk]
    assert a.filter_results[0].keyword_matches == ["finale"]
    assert c.filter_results == []


def test_filter_applies_only_in_its_contexts(alice, bob):
    filters.create_filter(alice, "x", ["notifications"], filter_action="hide",
                          keywords=[("word", True)])
    post = factories.make_post(bob, "a word")
    assert filters.apply(alice, [post], "home") == [post]
    assert filters.apply(alice, [post], "notifications") == []


def test_expired_filter_matches_nothing(alice, bob):
    found = filters.create_filter(alice, "x", ["home"], filter_action="hide",
                                  keywords=[("word", True)])
    Filter.objects.filter(pk=found.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    post = factories.make_post(bob, "a word")
    assert filters.apply(alice, [post], "home") == [post]


def test_status_filter_matches_that_post_and_its_boosts(alice, bob, carol):
    found = filters.create_filter(alice, "that one", ["home"])
    post = factories.make_post(bob, "anything")
    filters.add_status(found, post)
    boost = posts.reblog(carol, post)
    filters.apply(alice, [post, boost], "home")
    assert post.filter_results[0].status_matches == [str(post.pk)]
    assert boost.filter_results[0].status_matches == [str(post.pk)]


def test_own_posts_are_never_filtered(alice):
    filters.create_filter(alice, "x", ["home"], filter_action="hide", keywords=[("me", True)])
    post = factories.make_post(alice, "about me")
    assert filters.apply(alice, [post], "home") == [post]


def test_spoiler_text_is_matched(alice, bob):
    filters.create_filter(alice, "x", ["public"], filter_action="hide",
                          keywords=[("ending", True)])
    post = factories.make_post(bob, "it was good", spoiler_text="the ending")
    assert filters.apply(alice, [post], "public") == []


def test_unknown_context_is_refused(alice):
    with pytest.raises(TimelineError):
        filters.create_filter(alice, "x", ["everywhere"])

"""Full-text search of posts: finds words, respects visibility, survives any query."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rostra.accounts.services import block, follow
from rostra.posts import services as posts
from rostra.posts.search import search_posts
from tests.factories import make_post


def found(query, viewer=None) -> list[int]:
    return list(search_posts(query, viewer).values_list("pk", flat=True))


def test_search_finds_a_word(alice):
    post = make_post(alice, "The quick brown fox")
    make_post(alice, "A lazy dog")
    assert found("fox") == [post.pk]


def test_search_is_case_insensitive(alice):
    post = make_post(alice, "Rostra federates")
    assert found("ROSTRA") == [post.pk]


def test_search_needs_every_word(alice):
    both = make_post(alice, "red apples and green pears")
    make_post(alice, "red cars")
    assert found("red pears") == [both.pk]


def test_search_finds_words_in_the_content_warning(alice):
    post = make_post(alice, "details inside", spoiler_text="eurovision spoilers")
    assert found("eurovision") == [post.pk]


def test_search_returns_newest_first(alice):
    old, new = make_post(alice, "tulip one"), make_post(alice, "tulip two")
    assert found("tulip") == [new.pk, old.pk]


def test_search_sees_edits(alice):
    post = make_post(alice, "before")
    posts.edit_post(alice, post, "afterwards")
    assert found("afterwards") == [post.pk]
    assert found("before") == []


def test_search_forgets_deleted_posts(alice):
    post = make_post(alice, "ephemeral")
    posts.delete_post(alice, post)
    assert found("ephemeral") == []


def test_search_leaves_out_boosts(alice, bob):
    post = make_post(alice, "boostworthy")
    posts.reblog(bob, post)
    assert found("boostworthy") == [post.pk]


def test_empty_query_finds_nothing(alice):
    make_post(alice, "anything")
    assert found("   ") == []


@pytest.mark.parametrize("visibility", ["private", "direct"])
def test_search_hides_posts_the_viewer_may_not_see(alice, bob, visibility):
    make_post(alice, "hidden treasure", visibility=visibility)
    assert found("treasure", bob) == []
    assert found("treasure", None) == []
    assert len(found("treasure", alice)) == 1


def test_search_shows_followers_only_posts_to_followers(alice, bob):
    follow(bob, alice)
    post = make_post(alice, "hidden treasure", visibility="private")
    assert found("treasure", bob) == [post.pk]


def test_search_hides_posts_across_a_block(alice, bob):
    make_post(alice, "blocked words")
    block(alice, bob)
    assert found("words", bob) == []


@pytest.mark.parametrize(
    "query",
    ['"fox', 'fox"', "fox*", "*", "fox AND dog", "fox OR", "NOT fox", "-fox", "fox -dog",
     "NEAR(fox dog)", "body:fox", "(fox", "fox)", "^fox", "fox + dog", "'", "\\", "fox:*",
     "&|!", "<->"],
)
def test_operator_characters_in_queries_do_not_fail(alice, query):
    make_post(alice, "The quick brown fox and the dog")
    assert isinstance(found(query), list)


def test_query_with_a_nul_character_is_answered(alice):
    post = make_post(alice, "The quick brown fox")
    assert found("fox\x00") == [post.pk]


def test_quoted_word_still_finds_the_word(alice):
    post = make_post(alice, "The quick brown fox")
    assert found('"fox"') == [post.pk]


@pytest.mark.django_db
@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=40))
def test_any_query_is_answered_without_error(query):
    assert isinstance(found(query), list)

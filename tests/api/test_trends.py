"""/api/v1/trends/tags, /statuses, /links, and Tag ``history`` in search."""

from __future__ import annotations

import pytest

from rostra.posts import services as posts
from tests import factories

pytestmark = pytest.mark.django_db


def test_trending_tags_with_history(anon, alice, bob):
    factories.make_post(alice, "#rostra rocks")
    factories.make_post(bob, "#rostra indeed")
    tags = anon.get("/api/v1/trends/tags").json()
    assert tags[0]["name"] == "rostra"
    assert tags[0]["history"][0]["accounts"] == "2" and len(tags[0]["history"]) == 7


def test_trending_statuses(anon, alice, bob):
    post = factories.make_post(alice, "liked")
    factories.make_post(alice, "ignored")
    posts.favourite(bob, post)
    assert [s["id"] for s in anon.get("/api/v1/trends/statuses").json()] == [str(post.pk)]


def test_trending_links_are_cards_with_the_url_as_title(anon, alice):
    factories.make_post(alice, "see https://example.org/page")
    card = anon.get("/api/v1/trends/links").json()[0]
    assert card["url"] == card["title"] == "https://example.org/page"
    assert card["description"] == "" and card["type"] == "link"
    assert card["history"][0]["uses"] == "1"


def test_search_hashtags_carry_history(api, alice):
    factories.make_post(alice, "#searchable")
    tags = api(alice).get("/api/v2/search", {"q": "#searchable", "type": "hashtags"}).json()
    assert tags["hashtags"][0]["history"][0]["uses"] == "1"

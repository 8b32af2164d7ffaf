"""Timelines, bookmarks and favourites, with Link pagination."""

from __future__ import annotations

import re

import pytest

from rostra.accounts import services as accounts
from rostra.posts import services as posts
from rostra.posts.media import upload_media
from tests import factories

pytestmark = pytest.mark.django_db


def _link(response, rel):
    match = re.search(rf'<([^>]+)>; rel="{rel}"', response.get("Link", ""))
    return match.group(1) if match else None


def test_home_pages_with_link_headers(api, alice, bob):
    accounts.follow(alice, bob)
    made = [factories.make_post(bob, f"note {i}") for i in range(5)]
    client = api(alice)
    first = client.get("/api/v1/timelines/home", {"limit": 2})
    assert [s["id"] for s in first.json()] == [str(p.pk) for p in made[:-3:-1]]
    next_url = _link(first, "next")
    assert f"max_id={made[3].pk}" in next_url and "limit=2" in next_url
    second = client.get("/api/v1/timelines/home", {"limit": 2, "max_id": made[3].pk})
    assert [s["id"] for s in second.json()] == [str(made[2].pk), str(made[1].pk)]
    newer = client.get("/api/v1/timelines/home", {"limit": 2, "min_id": made[2].pk})
    assert [s["id"] for s in newer.json()] == [str(made[4].pk), str(made[3].pk)]


def test_home_hides_followers_only_posts_of_the_unfollowed(api, alice, bob):
    factories.make_post(bob, "secret", visibility="private")
    assert api(alice).get("/api/v1/timelines/home").json() == []


def test_public_timeline_local_and_only_media(api, anon, alice):
    text_only = factories.make_post(alice, "words")
    upload = upload_media(alice, factories.image_bytes(), description="alt")
    media = factories.make_post(alice, "picture", media=[upload])
    factories.make_post(alice, "hidden", visibility="unlisted")
    ids = [s["id"] for s in anon.get("/api/v1/timelines/public").json()]
    assert ids == [str(media.pk), str(text_only.pk)]
    local = [s["id"] for s in anon.get("/api/v1/timelines/public", {"local": "true"}).json()]
    assert local == ids
    assert anon.get("/api/v1/timelines/public", {"remote": "true"}).json() == []
    only = anon.get("/api/v1/timelines/public", {"only_media": "true"}).json()
    assert [s["id"] for s in only] == [str(media.pk)]


def test_tag_timeline(anon, alice):
    tagged = factories.make_post(alice, "about #Birds")
    factories.make_post(alice, "nothing here")
    ids = [s["id"] for s in anon.get("/api/v1/timelines/tag/birds").json()]
    assert ids == [str(tagged.pk)]
    assert anon.get("/api/v1/timelines/tag/unknown").json() == []


def test_bookmarks_and_favourites_page_by_their_own_ids(api, alice, bob):
    first = factories.make_post(bob, "one")
    second = factories.make_post(bob, "two")
    posts.bookmark(alice, second)
    posts.bookmark(alice, first)  # bookmarked later: listed first
    client = api(alice)
    page = client.get("/api/v1/bookmarks", {"limit": 1})
    assert [s["id"] for s in page.json()] == [str(first.pk)]
    rest = client.get(_link(page, "next").split("localhost:8000")[1])
    assert [s["id"] for s in rest.json()] == [str(second.pk)]
    posts.favourite(alice, first)
    assert [s["id"] for s in client.get("/api/v1/favourites").json()] == [str(first.pk)]


def test_timelines_need_the_right_scope(api, alice):
    assert api(alice, "read:accounts").get("/api/v1/timelines/home").status_code == 403
    assert api(alice, "read:statuses").get("/api/v1/bookmarks").status_code == 403

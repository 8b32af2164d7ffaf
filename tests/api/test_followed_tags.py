"""``/api/v1/tags/:name``, its follow and unfollow, ``/api/v1/followed_tags`` and
``following`` on Tag entities; a followed tag's posts in the home timeline."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests import factories

pytestmark = pytest.mark.django_db


def test_follow_unfollow_and_the_tag_entity(api, anon, alice):
    factories.make_post(alice, "first #Cats")
    client = api(alice)
    shown = client.get("/api/v1/tags/cats").json()
    assert shown["name"] == "Cats" and shown["following"] is False
    assert shown["url"].endswith("/tags/cats") and len(shown["history"]) == 7
    assert "following" not in anon.get("/api/v1/tags/cats").json()
    followed = client.post("/api/v1/tags/cats/follow")
    assert followed.status_code == 200, followed.content
    assert followed.json()["following"] is True
    assert client.get("/api/v1/tags/CATS").json()["following"] is True
    assert client.post("/api/v1/tags/cats/unfollow").json()["following"] is False
    assert client.get("/api/v1/tags/cats").json()["following"] is False


def test_an_unknown_tag_is_shown_and_can_be_followed(api, alice):
    client = api(alice)
    shown = client.get("/api/v1/tags/Brandnew").json()
    assert shown["name"] == "Brandnew" and shown["following"] is False
    assert all(day["uses"] == "0" for day in shown["history"])
    assert client.post("/api/v1/tags/Brandnew/follow").json()["following"] is True


def test_names_that_are_no_hashtag(api, alice):
    client = api(alice)
    assert client.get("/api/v1/tags/12345").status_code == 404
    refused = client.post("/api/v1/tags/12345/follow")
    assert refused.status_code == 422 and "hashtag" in refused.json()["error"]
    assert client.post("/api/v1/tags/nosuch/unfollow").status_code == 404


def test_following_needs_a_token_with_the_follows_scope(api, anon, alice):
    assert anon.post("/api/v1/tags/cats/follow").status_code == 401
    assert api(alice, "read").post("/api/v1/tags/cats/follow").status_code == 403
    assert api(alice, "write:follows").post("/api/v1/tags/cats/follow").status_code == 200


def test_followed_tags_are_listed_newest_first_and_paged(api, alice):
    client = api(alice)
    for name in ("one", "two", "three"):
        client.post(f"/api/v1/tags/{name}/follow")
    first = client.get("/api/v1/followed_tags", {"limit": 2})
    assert [t["name"] for t in first.json()] == ["three", "two"]
    assert all(t["following"] for t in first.json())
    older = urlsplit(first["Link"].split(";")[0].strip("<>"))
    rest = client.get(f"{older.path}?{older.query}")
    assert [t["name"] for t in rest.json()] == ["one"]


def test_a_followed_tag_fills_the_home_timeline(api, alice, bob):
    client = api(alice)
    client.post("/api/v1/tags/europe/follow")
    post = factories.make_post(bob, "Elections next week #Europe")
    factories.make_post(bob, "untagged")
    home = client.get("/api/v1/timelines/home").json()
    assert [s["id"] for s in home] == [str(post.pk)]


def test_search_marks_the_tags_the_reader_follows(api, alice):
    factories.make_post(alice, "#cats #catsanddogs")
    client = api(alice)
    client.post("/api/v1/tags/cats/follow")
    found = client.get("/api/v2/search", {"q": "#cats", "type": "hashtags"}).json()
    marks = {t["name"]: t["following"] for t in found["hashtags"]}
    assert marks == {"cats": True, "catsanddogs": False}

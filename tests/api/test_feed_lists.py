"""Pinned feeds as read-only lists for Mastodon apps: ``feed-<key>`` ids beside the
real lists, their timelines, and an honest 422 for any change."""

from __future__ import annotations

import pytest

from rostra.accounts import services as accounts
from rostra.posts import services as posts
from rostra.timelines import lists
from rostra.timelines.feeds import services as feed_services
from tests import factories

pytestmark = pytest.mark.django_db


def _discussed(alice, bob, carol):
    """bob writes two posts alice can see; the older one gets two replies."""
    accounts.follow(alice, bob)
    talked = factories.make_post(bob, "what do you think?")
    quiet = factories.make_post(bob, "never mind")
    factories.make_post(carol, "yes", in_reply_to=talked)
    factories.make_post(alice, "no", in_reply_to=talked)
    return talked, quiet


def test_pinned_feeds_are_listed_after_real_lists_with_feed_ids(api, alice):
    real = lists.create_list(alice, "Friends")
    feed_services.pin(alice, "catch_up")
    feed_services.pin(alice, "topic:tag:news")
    body = api(alice).get("/api/v1/lists").json()
    assert body == [
        {"id": str(real.pk), "title": "Friends", "replies_policy": "list", "exclusive": False},
        {"id": "feed-catch_up", "title": "Catch up", "replies_policy": "none",
         "exclusive": False},
        {"id": "feed-topic:tag:news", "title": "#news", "replies_policy": "none",
         "exclusive": False},
    ]


def test_a_feed_list_can_be_shown_only_once_pinned(api, alice):
    client = api(alice)
    assert client.get("/api/v1/lists/feed-catch_up").status_code == 404
    feed_services.pin(alice, "catch_up")
    assert client.get("/api/v1/lists/feed-catch_up").json()["title"] == "Catch up"
    assert client.get("/api/v1/lists/feed-nosuchfeed").status_code == 404


def test_feed_list_timeline_is_the_ranked_feed(api, alice, bob, carol):
    talked, quiet = _discussed(alice, bob, carol)
    feed_services.pin(alice, "catch_up")
    response = api(alice).get("/api/v1/timelines/list/feed-catch_up")
    assert response.status_code == 200
    assert [s["id"] for s in response.json()] == [str(talked.pk), str(quiet.pk)]
    assert f"max_id={quiet.pk}" in response["Link"]


def test_feed_list_timeline_pages_through_the_ranking(api, alice, bob, carol):
    talked, quiet = _discussed(alice, bob, carol)
    feed_services.pin(alice, "catch_up")
    client = api(alice)
    first = client.get("/api/v1/timelines/list/feed-catch_up", {"limit": 1})
    assert [s["id"] for s in first.json()] == [str(talked.pk)]
    second = client.get("/api/v1/timelines/list/feed-catch_up",
                        {"limit": 1, "max_id": talked.pk})
    assert [s["id"] for s in second.json()] == [str(quiet.pk)]
    end = client.get("/api/v1/timelines/list/feed-catch_up", {"limit": 1, "max_id": quiet.pk})
    assert end.json() == []


def test_another_readers_pinned_feed_is_a_404(api, alice, bob):
    feed_services.pin(bob, "catch_up")
    assert api(alice).get("/api/v1/timelines/list/feed-catch_up").status_code == 404


def test_a_topic_list_feed_keeps_the_visibility_rule(api, alice, bob, carol):
    shown = factories.make_post(bob, "#cats in public")
    factories.make_post(carol, "#cats for my followers", visibility="private")
    feed_services.pin(alice, "topic:tag:cats")
    body = api(alice).get("/api/v1/timelines/list/feed-topic:tag:cats").json()
    assert [s["id"] for s in body] == [str(shown.pk)]


@pytest.mark.parametrize("method, path", [
    ("put", "/api/v1/lists/feed-catch_up"),
    ("patch", "/api/v1/lists/feed-catch_up"),
    ("delete", "/api/v1/lists/feed-catch_up"),
    ("post", "/api/v1/lists/feed-catch_up/accounts"),
    ("delete", "/api/v1/lists/feed-catch_up/accounts"),
])
def test_changing_a_feed_list_is_an_honest_422_and_changes_nothing(api, alice, bob, method,
                                                                   path):
    accounts.follow(alice, bob)
    feed_services.pin(alice, "catch_up")
    client = api(alice)
    if method in ("put", "patch", "post"):
        response = getattr(client, method)(path, {"title": "Renamed",
                                                  "account_ids": [str(bob.pk)]})
    else:
        response = client.delete(path)
    assert response.status_code == 422
    body = response.json()
    assert "is a feed, not a list: it is read-only" in body["error"]
    assert body["details"]["id"][0]["error"] == "ERR_READ_ONLY"
    assert [c.key for c in feed_services.pinned(alice)] == ["catch_up"]


def test_a_feed_list_has_no_members(api, alice):
    feed_services.pin(alice, "catch_up")
    response = api(alice).get("/api/v1/lists/feed-catch_up/accounts")
    assert response.status_code == 200 and response.json() == []


def test_writes_to_an_unpinned_feed_id_are_a_404(api, alice):
    assert api(alice).put("/api/v1/lists/feed-catch_up", {"title": "x"}).status_code == 404


def test_real_lists_still_work_beside_feeds(api, alice, bob):
    accounts.follow(alice, bob)
    feed_services.pin(alice, "catch_up")
    client = api(alice)
    created = client.post("/api/v1/lists", {"title": "Work"}).json()
    assert client.put(f"/api/v1/lists/{created['id']}", {"title": "Job"}).json()["title"] == "Job"
    assert client.delete(f"/api/v1/lists/{created['id']}").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_mastodon_py_shows_a_pinned_feed_as_a_list(live_server, oauth_app):
    mastodon = pytest.importorskip("mastodon")
    from rostra.api import oauth

    alice, bob, carol = (factories.make_account(n) for n in ("alice", "bob", "carol"))
    talked, quiet = _discussed(alice, bob, carol)
    posts.favourite(carol, quiet)
    feed_services.pin(alice, "catch_up")
    token = oauth.issue_token(oauth_app, alice.user, ["read", "write"]).access_token
    client = mastodon.Mastodon(access_token=token, api_base_url=live_server.url,
                               version_check_mode="none")
    found = [x for x in client.lists() if x["id"] == "feed-catch_up"]
    assert found and found[0]["title"] == "Catch up"
    timeline = client.timeline_list("feed-catch_up")
    assert [str(s["id"]) for s in timeline] == [str(talked.pk), str(quiet.pk)]
    with pytest.raises(mastodon.MastodonAPIError) as refused:
        client.list_update("feed-catch_up", "Mine now")
    assert "read-only" in str(refused.value)

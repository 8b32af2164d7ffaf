"""Search, polls and the server information documents."""

from __future__ import annotations

from datetime import timedelta

import pytest

from rostra.posts.services import PollSpec
from tests import factories

pytestmark = pytest.mark.django_db


def test_search_finds_accounts_statuses_and_hashtags(api, alice, bob):
    post = factories.make_post(bob, "Gardening with #tomatoes today")
    factories.make_post(bob, "secret tomatoes", visibility="private")
    result = api(alice).get("/api/v2/search", {"q": "tomatoes"}).json()
    assert [s["id"] for s in result["statuses"]] == [str(post.pk)]
    assert [t["name"] for t in result["hashtags"]] == ["tomatoes"]
    accounts = api(alice).get("/api/v2/search", {"q": "bob", "type": "accounts"}).json()
    assert [a["acct"] for a in accounts["accounts"]] == ["bob"]
    assert accounts["statuses"] == []


def test_anonymous_search_has_no_statuses(anon, bob):
    factories.make_post(bob, "public tomatoes")
    assert anon.get("/api/v2/search", {"q": "tomatoes"}).json()["statuses"] == []


def _poll_post(author):
    return factories.make_post(author, "Tea?", poll=PollSpec(["Tea", "Coffee"],
                                                              timedelta(hours=1)))


def test_vote_in_a_poll(api, alice, bob):
    post = _poll_post(alice)
    client = api(bob)
    poll_id = post.poll.pk
    shown = client.get(f"/api/v1/polls/{poll_id}").json()
    assert shown["voted"] is False
    voted = client.post(f"/api/v1/polls/{poll_id}/votes", {"choices": ["1"]}).json()
    assert voted["own_votes"] == [1] and voted["options"][1]["votes_count"] == 1
    again = client.post(f"/api/v1/polls/{poll_id}/votes", {"choices": ["0"]})
    assert again.status_code == 422


def test_poll_of_an_invisible_status_is_404(api, alice, bob):
    post = factories.make_post(alice, "Private?", visibility="private",
                               poll=PollSpec(["A", "B"], timedelta(hours=1)))
    assert api(bob).get(f"/api/v1/polls/{post.poll.pk}").status_code == 404


def test_instance_v1_and_v2(anon, settings):
    settings.ROSTRA_POST_MAX_CHARS = 640
    v1 = anon.get("/api/v1/instance").json()
    assert v1["version"].startswith("4.3.0 (compatible; Rostra ")
    assert v1["configuration"]["statuses"]["max_characters"] == 640
    assert v1["uri"] == "localhost:8000" and v1["registrations"] is True
    v2 = anon.get("/api/v2/instance").json()
    assert v2["domain"] == "localhost:8000" and v2["api_versions"] == {"mastodon": 2}
    assert v2["configuration"]["polls"]["max_options"] == 4


def test_custom_emojis_is_an_empty_list(anon):
    assert anon.get("/api/v1/custom_emojis").json() == []

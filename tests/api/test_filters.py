"""/api/v2/filters (keywords, statuses), /api/v1/filters, and ``filtered`` on
statuses in timelines and notifications."""

from __future__ import annotations

import pytest

from rostra.accounts import services as accounts
from tests import factories

pytestmark = pytest.mark.django_db


def _filter(client, **extra):
    body = {"title": "Spoilers", "context": ["home", "notifications"],
            "keywords_attributes": [{"keyword": "finale", "whole_word": True}], **extra}
    answer = client.post("/api/v2/filters", body)
    assert answer.status_code == 200, answer.json()
    return answer.json()


def test_create_and_read_a_filter(api, alice):
    client = api(alice)
    made = _filter(client)
    assert made["filter_action"] == "warn" and made["context"] == ["home", "notifications"]
    assert [k["keyword"] for k in made["keywords"]] == ["finale"]
    assert client.get(f"/api/v2/filters/{made['id']}").json() == made
    assert [f["id"] for f in client.get("/api/v2/filters").json()] == [made["id"]]
    v1 = client.get("/api/v1/filters").json()
    assert v1[0]["phrase"] == "finale" and v1[0]["irreversible"] is False


def test_form_encoded_keywords_attributes(api, alice):
    client = api(alice)
    answer = client.post("/api/v2/filters", {
        "title": "x", "context[]": ["home"], "keywords_attributes[][keyword]": ["a", "b"],
        "keywords_attributes[][whole_word]": ["true", "false"]}, json_body=False)
    assert sorted((k["keyword"], k["whole_word"]) for k in answer.json()["keywords"]) == \
        [("a", True), ("b", False)]


def test_update_keywords_and_delete(api, alice):
    client = api(alice)
    made = _filter(client)
    kid = made["keywords"][0]["id"]
    changed = client.put(f"/api/v2/filters/{made['id']}", {
        "title": "Renamed", "filter_action": "hide",
        "keywords_attributes": [{"id": kid, "_destroy": True}, {"keyword": "season"}]}).json()
    assert changed["title"] == "Renamed" and changed["filter_action"] == "hide"
    assert [k["keyword"] for k in changed["keywords"]] == ["season"]
    added = client.post(f"/api/v2/filters/{made['id']}/keywords", {"keyword": "ep"}).json()
    assert client.get(f"/api/v2/filters/keywords/{added['id']}").json() == added
    assert client.delete(f"/api/v2/filters/{made['id']}").status_code == 200
    assert client.get(f"/api/v2/filters/{made['id']}").status_code == 404


def test_bad_context_is_a_422(api, alice):
    answer = api(alice).post("/api/v2/filters", {"title": "x", "context": ["nowhere"]})
    assert answer.status_code == 422 and "context" in answer.json()["details"]


def test_warn_filter_sets_filtered_in_home(api, alice, bob):
    accounts.follow(alice, bob)
    client = api(alice)
    made = _filter(client)
    factories.make_post(bob, "That finale!")
    status = client.get("/api/v1/timelines/home").json()[0]
    assert status["filtered"][0]["filter"]["id"] == made["id"]
    assert status["filtered"][0]["keyword_matches"] == ["finale"]


def test_hide_filter_drops_the_post_from_home(api, alice, bob):
    accounts.follow(alice, bob)
    client = api(alice)
    _filter(client, filter_action="hide")
    factories.make_post(bob, "That finale!")
    kept = factories.make_post(bob, "Something else")
    assert [s["id"] for s in client.get("/api/v1/timelines/home").json()] == [str(kept.pk)]


def test_status_filter_sub_resource(api, alice, bob):
    client = api(alice)
    made = _filter(client, context=["public"], filter_action="hide")
    post = factories.make_post(bob, "just this one")
    row = client.post(f"/api/v2/filters/{made['id']}/statuses",
                      {"status_id": str(post.pk)}).json()
    assert row["status_id"] == str(post.pk)
    assert client.get("/api/v1/timelines/public").json() == []
    assert client.delete(f"/api/v2/filters/statuses/{row['id']}").status_code == 200
    assert len(client.get("/api/v1/timelines/public").json()) == 1


def test_hide_filter_drops_notifications(api, alice, bob):
    client = api(alice)
    _filter(client, filter_action="hide")
    factories.make_post(bob, "@alice the finale")
    assert client.get("/api/v1/notifications").json() == []


def test_filters_are_private(api, alice, bob):
    made = _filter(api(alice))
    assert api(bob).get(f"/api/v2/filters/{made['id']}").status_code == 404

"""v1 filter writes (``POST/PUT/DELETE /api/v1/filters``) mapped onto v2 filters."""

from __future__ import annotations

import pytest

from tests import factories

pytestmark = pytest.mark.django_db


def test_create_update_delete_v1_filter(api, alice, bob):
    client = api(alice)
    made = client.post("/api/v1/filters", {"phrase": "spoilers", "context": ["home"],
                                           "irreversible": True, "whole_word": False})
    assert made.status_code == 200, made.content
    v1 = made.json()
    assert v1["phrase"] == "spoilers" and v1["context"] == ["home"]
    assert v1["irreversible"] is True and v1["whole_word"] is False
    v2 = client.get("/api/v2/filters").json()
    assert v2[0]["title"] == "spoilers" and v2[0]["filter_action"] == "hide"
    assert v2[0]["keywords"][0]["id"] == v1["id"]
    changed = client.put(f"/api/v1/filters/{v1['id']}", {
        "phrase": "finale", "context": ["home", "public"], "irreversible": False,
        "expires_in": 3600}).json()
    assert changed["phrase"] == "finale" and changed["context"] == ["home", "public"]
    assert changed["irreversible"] is False and changed["expires_at"] is not None
    assert client.get(f"/api/v1/filters/{v1['id']}").json() == changed
    assert client.get("/api/v2/filters").json()[0]["title"] == "finale"
    assert client.delete(f"/api/v1/filters/{v1['id']}").json() == {}
    assert client.get("/api/v2/filters").json() == []
    assert client.get(f"/api/v1/filters/{v1['id']}").status_code == 404


def test_v1_filter_hides_from_home(api, alice, bob):
    from rostra.accounts import services as accounts

    accounts.follow(alice, bob)
    factories.make_post(bob, "the finale was great")
    client = api(alice)
    client.post("/api/v1/filters", {"phrase": "finale", "context": ["home"],
                                    "irreversible": True})
    assert client.get("/api/v1/timelines/home").json() == []


def test_filter_with_several_keywords(api, alice):
    client = api(alice)
    made = client.post("/api/v2/filters", {
        "title": "two", "context": ["home"],
        "keywords_attributes": [{"keyword": "a1"}, {"keyword": "b2"}]}).json()
    first = made["keywords"][0]["id"]
    assert client.put(f"/api/v1/filters/{first}", {"context": ["public"]}).status_code == 422
    assert client.put(f"/api/v1/filters/{first}", {"phrase": "c3"}).json()["phrase"] == "c3"
    client.delete(f"/api/v1/filters/{first}")
    assert [k["keyword"] for k in client.get("/api/v2/filters").json()[0]["keywords"]] == [
        "b2"]


def test_v1_filters_are_private_and_validated(api, alice, bob):
    client = api(alice)
    v1 = client.post("/api/v1/filters", {"phrase": "x1", "context": ["home"]}).json()
    assert api(bob).put(f"/api/v1/filters/{v1['id']}", {"phrase": "y"}).status_code == 404
    assert api(bob).delete(f"/api/v1/filters/{v1['id']}").status_code == 404
    assert client.post("/api/v1/filters", {"phrase": "", "context": ["home"]}).status_code == 422
    assert client.post("/api/v1/filters", {"phrase": "z", "context": []}).status_code == 422
    assert api(alice, "read").post("/api/v1/filters", {"phrase": "q", "context": ["home"]}
                                   ).status_code == 403

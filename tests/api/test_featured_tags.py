"""Featured hashtags and a profile's endorsed accounts."""

from __future__ import annotations

import pytest

from rostra.accounts import endorsements
from rostra.accounts import services as accounts
from tests import factories

pytestmark = pytest.mark.django_db


def test_feature_list_and_unfeature(api, anon, alice):
    factories.make_post(alice, "one #Cats")
    factories.make_post(alice, "two #cats", visibility="unlisted")
    factories.make_post(alice, "secret #cats", visibility="private")
    client = api(alice)
    made = client.post("/api/v1/featured_tags", {"name": "#Cats"})
    assert made.status_code == 200, made.content
    body = made.json()
    assert body["name"] == "Cats" and body["statuses_count"] == "2"
    assert body["url"].endswith("/@alice/tagged/cats")
    assert body["last_status_at"] is not None
    assert client.get("/api/v1/featured_tags").json() == [body]
    assert anon.get(f"/api/v1/accounts/{alice.pk}/featured_tags").json() == [body]
    assert client.post("/api/v1/featured_tags", {"name": "cats"}).status_code == 422
    assert client.delete(f"/api/v1/featured_tags/{body['id']}").json() == {}
    assert client.get("/api/v1/featured_tags").json() == []
    assert client.delete(f"/api/v1/featured_tags/{body['id']}").status_code == 404


def test_invalid_names_and_the_limit(api, alice):
    client = api(alice)
    for bad in ("", "two words", "#", "12345", "a-b"):
        assert client.post("/api/v1/featured_tags", {"name": bad}).status_code == 422, bad
    for i in range(10):
        assert client.post("/api/v1/featured_tags", {"name": f"t{i}x"}).status_code == 200
    assert client.post("/api/v1/featured_tags", {"name": "eleven"}).status_code == 422


def test_suggestions_are_own_most_used_tags_not_featured(api, alice, bob):
    factories.make_post(alice, "#dogs #cats")
    factories.make_post(alice, "#dogs")
    factories.make_post(bob, "#birds #birds2")
    client = api(alice)
    assert [t["name"] for t in client.get("/api/v1/featured_tags/suggestions").json()] == [
        "dogs", "cats"]
    client.post("/api/v1/featured_tags", {"name": "dogs"})
    assert [t["name"] for t in client.get("/api/v1/featured_tags/suggestions").json()] == [
        "cats"]


def test_scopes(api, alice):
    assert api(alice, "read:statuses").get("/api/v1/featured_tags").status_code == 403
    assert api(alice, "read").post("/api/v1/featured_tags", {"name": "x"}).status_code == 403


def test_account_endorsements_are_public(anon, alice, bob, carol):
    accounts.follow(alice, bob)
    endorsements.endorse(alice, bob)
    assert [a["id"] for a in anon.get(f"/api/v1/accounts/{alice.pk}/endorsements").json()] == [
        str(bob.pk)]
    assert anon.get(f"/api/v1/accounts/{carol.pk}/endorsements").json() == []
    assert anon.get("/api/v1/accounts/999999/endorsements").status_code == 404

"""/api/v1/lists, list members, /accounts/:id/lists and the list timeline."""

from __future__ import annotations

import pytest

from rostra.accounts import services as accounts
from tests import factories

pytestmark = pytest.mark.django_db


def test_create_show_update_delete(api, alice):
    client = api(alice)
    made = client.post("/api/v1/lists", {"title": "Friends", "exclusive": True}).json()
    assert made["title"] == "Friends" and made["replies_policy"] == "list" and made["exclusive"]
    one = f"/api/v1/lists/{made['id']}"
    assert client.get(one).json() == made
    changed = client.put(one, {"title": "Pals", "replies_policy": "none"}).json()
    assert (changed["title"], changed["replies_policy"], changed["exclusive"]) == \
        ("Pals", "none", True)
    assert [x["id"] for x in client.get("/api/v1/lists").json()] == [made["id"]]
    assert client.delete(one).status_code == 200
    assert client.get(one).status_code == 404


def test_blank_title_is_a_422(api, alice):
    answer = api(alice).post("/api/v1/lists", {"title": ""})
    assert answer.status_code == 422 and "title" in answer.json()["details"]


def test_another_readers_list_is_a_404(api, alice, bob):
    made = api(alice).post("/api/v1/lists", {"title": "Mine"}).json()
    assert api(bob).get(f"/api/v1/lists/{made['id']}").status_code == 404


def test_members_and_list_timeline(api, alice, bob, carol):
    accounts.follow(alice, bob)
    client = api(alice)
    made = client.post("/api/v1/lists", {"title": "Friends"}).json()
    members = f"/api/v1/lists/{made['id']}/accounts"
    assert client.post(members, {"account_ids": [str(carol.pk)]}).status_code == 422
    assert client.post(members, {"account_ids": [str(bob.pk)]}).status_code == 200
    assert [a["id"] for a in client.get(members).json()] == [str(bob.pk)]
    assert [x["id"] for x in client.get(f"/api/v1/accounts/{bob.pk}/lists").json()] == \
        [made["id"]]
    post = factories.make_post(bob, "hello list")
    factories.make_post(carol, "not here")
    timeline = client.get(f"/api/v1/timelines/list/{made['id']}").json()
    assert [s["id"] for s in timeline] == [str(post.pk)]
    client.client.delete(members + f"?account_ids[]={bob.pk}",
                         headers={"Authorization": f"Bearer {client.token}"})
    assert client.get(members).json() == []


def test_exclusive_list_hides_members_from_home(api, alice, bob):
    accounts.follow(alice, bob)
    client = api(alice)
    made = client.post("/api/v1/lists", {"title": "Q", "exclusive": True}).json()
    client.post(f"/api/v1/lists/{made['id']}/accounts", {"account_ids": [str(bob.pk)]})
    factories.make_post(bob, "list only")
    assert client.get("/api/v1/timelines/home").json() == []


def test_lists_need_the_lists_scope(api, alice):
    assert api(alice, "read:statuses").get("/api/v1/lists").status_code == 403

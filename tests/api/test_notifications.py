"""Notifications: Mastodon's types (a reply is a mention), filters, dismiss, clear."""

from __future__ import annotations

import pytest

from rostra.accounts import services as accounts
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy_alice(alice, bob, carol, django_capture_on_commit_callbacks):
    root = factories.make_post(alice, "root")
    factories.make_post(bob, "a reply", in_reply_to=root)
    factories.make_post(carol, "hey @alice")
    with django_capture_on_commit_callbacks(execute=True):
        accounts.follow(bob, alice)
    return alice


def test_reply_is_served_as_mention(api, busy_alice):
    types = [n["type"] for n in api(busy_alice).get("/api/v1/notifications").json()]
    assert types == ["follow", "mention", "mention"]


def test_types_and_exclude_types(api, busy_alice):
    client = api(busy_alice)
    mentions = client.get("/api/v1/notifications", {"types[]": ["mention"]}).json()
    assert [n["type"] for n in mentions] == ["mention", "mention"]
    assert all(n["status"]["id"] for n in mentions)
    others = client.get("/api/v1/notifications", {"exclude_types[]": ["mention"]}).json()
    assert [n["type"] for n in others] == ["follow"]


def test_one_dismiss_clear_and_unread_count(api, busy_alice, bob):
    client = api(busy_alice)
    assert client.get("/api/v1/notifications/unread_count").json() == {"count": 3}
    first = client.get("/api/v1/notifications").json()[0]
    assert client.get(f"/api/v1/notifications/{first['id']}").json()["id"] == first["id"]
    assert api(bob).get(f"/api/v1/notifications/{first['id']}").status_code == 404
    assert client.post(f"/api/v1/notifications/{first['id']}/dismiss").status_code == 200
    assert len(client.get("/api/v1/notifications").json()) == 2
    assert client.post("/api/v1/notifications/clear").status_code == 200
    assert client.get("/api/v1/notifications").json() == []


def test_notifications_need_a_user_token(api, anon, alice):
    assert anon.get("/api/v1/notifications").status_code == 401
    assert api(alice, "read:statuses").get("/api/v1/notifications").status_code == 403

"""Grouped notifications (``/api/v2/notifications``): favourites and boosts of one
status and follows group; everything else is ``ungrouped-<id>``; the viewer never
gets a status they may not see."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from rostra.accounts import services as accounts
from rostra.notifications.groups import assign_key
from rostra.notifications.models import Notification
from rostra.posts import services as posts
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy(alice, bob, carol, make_account, django_capture_on_commit_callbacks):
    dave = make_account("dave")
    post = factories.make_post(alice, "like me")
    other = factories.make_post(alice, "another")
    with django_capture_on_commit_callbacks(execute=True):
        posts.favourite(bob, post)
        posts.favourite(carol, post)
        posts.favourite(dave, other)
        posts.reblog(bob, post)
        accounts.follow(bob, alice)
        accounts.follow(carol, alice)
    factories.make_post(dave, "hey @alice")
    return {"post": post, "other": other, "dave": dave}


def _groups(client, **params):
    answer = client.get("/api/v2/notifications", params)
    assert answer.status_code == 200, answer.content
    return answer.json()


def test_groups_favourites_reblogs_and_follows(api, alice, bob, carol, busy):
    body = _groups(api(alice))
    by_type = {}
    for g in body["notification_groups"]:
        by_type.setdefault(g["type"], []).append(g)
    assert [g["type"] for g in body["notification_groups"]] == [
        "mention", "follow", "reblog", "favourite", "favourite"]
    fav = [g for g in by_type["favourite"] if g["status_id"] == str(busy["post"].pk)][0]
    assert fav["notifications_count"] == 2
    assert fav["sample_account_ids"] == [str(carol.pk), str(bob.pk)]
    assert fav["group_key"].startswith(f"favourite-{busy['post'].pk}-")
    follow = by_type["follow"][0]
    assert follow["notifications_count"] == 2 and "status_id" not in follow
    assert by_type["mention"][0]["group_key"].startswith("ungrouped-")
    assert {a["id"] for a in body["accounts"]} == {str(bob.pk), str(carol.pk),
                                                   str(busy["dave"].pk)}
    assert {s["id"] for s in body["statuses"]} >= {str(busy["post"].pk)}
    assert fav["page_min_id"] <= fav["page_max_id"] == fav["most_recent_notification_id"]


def test_grouped_types_and_paging(api, alice, busy):
    client = api(alice)
    ungrouped = _groups(client, **{"grouped_types[]": ["follow"]})
    assert [g["type"] for g in ungrouped["notification_groups"]].count("favourite") == 3
    first = client.get("/api/v2/notifications", {"limit": 2})
    groups = first.json()["notification_groups"]
    assert [g["type"] for g in groups] == ["mention", "follow"]
    assert 'rel="next"' in first["Link"]
    next_url = first["Link"].split(">")[0].lstrip("<")
    rest = client.get(next_url.split("testserver")[-1]).json()["notification_groups"]
    assert [g["type"] for g in rest] == ["reblog", "favourite"]


def test_partial_avatars(api, alice, make_account, django_capture_on_commit_callbacks):
    followers = [make_account(f"fan{i}") for i in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        for fan in followers:
            accounts.follow(fan, alice)
    body = _groups(api(alice), expand_accounts="partial_avatars")
    assert [a["id"] for a in body["accounts"]] == [str(followers[2].pk)]
    assert [a["id"] for a in body["partial_accounts"]] == [str(followers[1].pk),
                                                           str(followers[0].pk)]
    assert set(body["partial_accounts"][0]) == {"id", "acct", "locked", "bot", "url",
                                                "avatar", "avatar_static"}
    assert "partial_accounts" not in _groups(api(alice))


def test_one_group_its_accounts_and_dismiss(api, alice, bob, carol, busy):
    client = api(alice)
    key = [g for g in _groups(client)["notification_groups"] if g["type"] == "follow"][0][
        "group_key"]
    one = client.get(f"/api/v2/notifications/{key}").json()
    assert one["notification_groups"][0]["notifications_count"] == 2
    members = client.get(f"/api/v2/notifications/{key}/accounts").json()
    assert [a["id"] for a in members] == [str(carol.pk), str(bob.pk)]
    assert api(bob).get(f"/api/v2/notifications/{key}").status_code == 404
    assert client.post(f"/api/v2/notifications/{key}/dismiss").status_code == 200
    assert client.get(f"/api/v2/notifications/{key}").status_code == 404
    assert client.post(f"/api/v2/notifications/{key}/dismiss").status_code == 404
    assert client.get("/api/v2/notifications/ungrouped-abc").status_code == 404


def test_unread_count_counts_groups(api, alice, busy):
    client = api(alice)
    assert client.get("/api/v2/notifications/unread_count").json() == {"count": 5}
    assert client.get("/api/v2/notifications/unread_count", {"limit": 2}).json() == {
        "count": 2}
    newest = client.get("/api/v1/notifications").json()[0]["id"]
    client.post("/api/v1/markers", {"notifications": {"last_read_id": newest}})
    assert client.get("/api/v2/notifications/unread_count").json() == {"count": 0}


def test_group_never_shows_a_status_the_viewer_may_not_see(api, alice, bob,
                                                           django_capture_on_commit_callbacks):
    secret = factories.make_post(alice, "followers only", visibility="private")
    with django_capture_on_commit_callbacks(execute=True):
        posts.favourite(alice, secret)  # no self-notification
    Notification.objects.create(account=bob, from_account=alice, type="favourite",
                                post=secret, group_key=f"favourite-{secret.pk}-1")
    body = _groups(api(bob))
    assert body["notification_groups"] == [] and body["statuses"] == []
    assert api(bob).get(f"/api/v2/notifications/favourite-{secret.pk}-1").status_code == 404


def test_group_spans_at_most_twelve_hours(alice, bob, carol):
    post = factories.make_post(alice, "x")
    start = timezone.now()
    first = assign_key(alice, "favourite", post, start)
    Notification.objects.create(account=alice, from_account=bob, type="favourite",
                                post=post, group_key=first)
    assert assign_key(alice, "favourite", post, start + timedelta(hours=11)) == first
    assert assign_key(alice, "favourite", post, start + timedelta(hours=13)) != first
    assert assign_key(alice, "mention", post, start) == ""


def test_needs_read_notifications(api, anon, alice):
    assert anon.get("/api/v2/notifications").status_code == 401
    assert api(alice, "read:statuses").get("/api/v2/notifications").status_code == 403

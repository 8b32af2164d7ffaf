"""Markers (home, notifications) and preferences."""

from __future__ import annotations

import pytest

from tests import factories

pytestmark = pytest.mark.django_db


def test_markers_start_empty_and_are_saved(api, alice):
    client = api(alice)
    assert client.get("/api/v1/markers", {"timeline[]": ["home"]}).json() == {}
    saved = client.post("/api/v1/markers", {"home": {"last_read_id": "123"}}).json()
    assert saved["home"]["last_read_id"] == "123" and saved["home"]["version"] == 1
    again = client.post("/api/v1/markers", {"home[last_read_id]": "456"}, json_body=False)
    assert again.json()["home"]["version"] == 2
    both = client.get("/api/v1/markers", {"timeline[]": ["home", "notifications"]}).json()
    assert list(both) == ["home"] and both["home"]["last_read_id"] == "456"
    assert both["home"]["updated_at"].endswith("Z")


def test_notifications_marker_drives_unread_count(api, alice, bob):
    factories.make_post(bob, "hi @alice")
    factories.make_post(bob, "again @alice")
    client = api(alice)
    assert client.get("/api/v1/notifications/unread_count").json() == {"count": 2}
    oldest = client.get("/api/v1/notifications").json()[-1]["id"]
    marker = client.post("/api/v1/markers", {"notifications": {"last_read_id": oldest}}).json()
    assert marker["notifications"]["last_read_id"] == oldest
    assert client.get("/api/v1/notifications/unread_count").json() == {"count": 1}


def test_marker_without_a_timeline_is_a_422(api, alice):
    assert api(alice).post("/api/v1/markers", {}).status_code == 422


def test_markers_need_a_token(anon):
    assert anon.get("/api/v1/markers").status_code == 401


def test_preferences_come_from_the_settings(api, alice):
    user = alice.user
    user.default_visibility, user.default_sensitive, user.locale = "private", True, "de"
    user.save()
    prefs = api(alice).get("/api/v1/preferences").json()
    assert prefs["posting:default:visibility"] == "private"
    assert prefs["posting:default:sensitive"] is True
    assert prefs["posting:default:language"] == "de"
    assert prefs["reading:expand:spoilers"] is False

"""Rate limits: the X-RateLimit-* headers and the 429 past the limit."""

from __future__ import annotations

import pytest

from tests.factories import image_bytes

pytestmark = pytest.mark.django_db


def test_headers_count_down_then_429(api, alice, settings):
    settings.ROSTRA_RATE_LIMITS = {"authenticated": (3, 300)}
    client = api(alice)
    seen = [client.get("/api/v1/timelines/home") for _ in range(4)]
    assert [r["X-RateLimit-Remaining"] for r in seen] == ["2", "1", "0", "0"]
    assert all(r["X-RateLimit-Limit"] == "3" for r in seen)
    assert seen[0]["X-RateLimit-Reset"].endswith("Z")
    assert seen[3].status_code == 429
    assert seen[3].json() == {"error": "Too many requests"}


def test_limits_are_per_account(api, alice, bob, settings):
    settings.ROSTRA_RATE_LIMITS = {"authenticated": (1, 300)}
    assert api(alice).get("/api/v1/lists").status_code == 200
    assert api(alice).get("/api/v1/lists").status_code == 429
    assert api(bob).get("/api/v1/lists").status_code == 200


def test_anonymous_requests_count_by_ip(anon, settings):
    settings.ROSTRA_RATE_LIMITS = {"anonymous": (2, 300)}
    answers = [anon.get("/api/v1/timelines/public").status_code for _ in range(3)]
    assert answers == [200, 200, 429]


def test_posting_has_its_own_limit(api, alice, settings):
    settings.ROSTRA_RATE_LIMITS = {"statuses": (1, 3 * 3600)}
    client = api(alice)
    assert client.post("/api/v1/statuses", {"status": "one"}).status_code == 200
    second = client.post("/api/v1/statuses", {"status": "two"})
    assert second.status_code == 429 and second["X-RateLimit-Limit"] == "1"
    assert client.get("/api/v1/timelines/home").status_code == 200


def test_media_uploads_have_their_own_limit(api, alice, settings):
    settings.ROSTRA_RATE_LIMITS = {"media": (1, 1800)}
    client = api(alice)

    def upload():
        from django.core.files.uploadedfile import SimpleUploadedFile
        return client.client.post(
            "/api/v2/media", {"file": SimpleUploadedFile("a.png", image_bytes(), "image/png")},
            headers={"Authorization": f"Bearer {client.token}"})

    assert upload().status_code == 200
    assert upload().status_code == 429


def test_limits_can_be_turned_off(api, alice, settings):
    settings.ROSTRA_RATE_LIMITS = {"authenticated": (1, 300)}
    settings.ROSTRA_RATE_LIMITS_ENABLED = False
    client = api(alice)
    answers = [client.get("/api/v1/lists") for _ in range(3)]
    assert all(a.status_code == 200 for a in answers)
    assert "X-RateLimit-Limit" not in answers[0]

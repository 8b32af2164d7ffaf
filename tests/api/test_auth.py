"""Bearer tokens and scopes, as Mastodon enforces them; bodies in any encoding."""

from __future__ import annotations

import pytest

from rostra.api import scopes

pytestmark = pytest.mark.django_db


def test_missing_token_on_a_user_endpoint_is_401(anon):
    response = anon.get("/api/v1/timelines/home")
    assert response.status_code == 401
    assert response.json() == {"error": "The access token is invalid"}


def test_unknown_token_is_401_even_where_anonymous_is_allowed(anon):
    anon.token = "not-a-token"
    assert anon.get("/api/v1/timelines/public").status_code == 401


def test_read_token_cannot_post(api, alice):
    response = api(alice, "read").post("/api/v1/statuses", {"status": "hi"})
    assert response.status_code == 403
    assert response.json()["error"] == "This action is outside the authorized scopes"


def test_read_covers_granular_read_scopes(api, alice):
    assert api(alice, "read").get("/api/v1/timelines/home").status_code == 200


def test_granular_write_statuses_posts_but_does_not_follow(api, alice, bob):
    client = api(alice, "write:statuses")
    assert client.post("/api/v1/statuses", {"status": "hi"}).status_code == 200
    assert client.post(f"/api/v1/accounts/{bob.pk}/follow").status_code == 403


def test_follow_scope_covers_following_and_blocking(api, alice, bob):
    client = api(alice, "follow")
    assert client.post(f"/api/v1/accounts/{bob.pk}/follow").status_code == 200
    assert client.post(f"/api/v1/accounts/{bob.pk}/block").status_code == 200
    assert client.get("/api/v1/blocks").status_code == 200


def test_profile_scope_reads_only_the_own_profile(api, alice):
    client = api(alice, "profile")
    assert client.get("/api/v1/accounts/verify_credentials").status_code == 200
    assert client.get("/api/v1/timelines/home").status_code == 403


def test_form_encoded_and_multipart_bodies_are_read(api, alice):
    client = api(alice)
    form = client.client.post(
        "/api/v1/statuses", "status=form+post&visibility=unlisted",
        content_type="application/x-www-form-urlencoded",
        headers={"Authorization": f"Bearer {client.token}"})
    assert form.status_code == 200 and form.json()["visibility"] == "unlisted"
    multipart = client.post("/api/v1/statuses", {"status": "multipart post"}, json_body=False)
    assert multipart.status_code == 200 and "multipart post" in multipart.json()["content"]


def test_trailing_slash_works(api, alice):
    assert api(alice).get("/api/v1/timelines/home/").status_code == 200


def test_wrong_method_is_405_json(api, alice):
    response = api(alice).client.delete("/api/v1/timelines/home")
    assert response.status_code == 405 and "error" in response.json()


@pytest.mark.parametrize(("granted", "required", "ok"), [
    ("read", "read:statuses", True),
    ("read:statuses", "read", False),
    ("write", "write:media", True),
    ("follow", "write:follows", True),
    ("follow", "write:statuses", False),
    ("admin:read", "admin:read:accounts", True),
    ("read", "admin:read", False),
])
def test_scope_coverage(granted, required, ok):
    assert scopes.covers(granted, required) is ok

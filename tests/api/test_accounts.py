"""Accounts: profiles, credentials, relationships, lists and registration."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from rostra.accounts import services as accounts
from rostra.accounts.models import SiteSettings
from rostra.api import oauth
from tests import factories

pytestmark = pytest.mark.django_db


def test_verify_credentials_has_the_source(api, alice):
    me = api(alice).get("/api/v1/accounts/verify_credentials").json()
    assert me["id"] == str(alice.pk) and me["acct"] == "alice"
    assert me["source"]["privacy"] == "public"
    assert me["url"].endswith("/@alice") and me["avatar"].startswith("http")


def test_update_credentials_with_fields_and_avatar(api, alice):
    client = api(alice)
    avatar = SimpleUploadedFile("a.png", factories.image_bytes(), content_type="image/png")
    response = client.client.patch(
        "/api/v1/accounts/update_credentials",
        encode_multipart(BOUNDARY, {
            "display_name": "Alice", "note": "Hi #there", "locked": "true",
            "fields_attributes[0][name]": "Site", "fields_attributes[0][value]": "x.example",
            "avatar": avatar,
        }),
        content_type=MULTIPART_CONTENT,
        headers={"Authorization": f"Bearer {client.token}"})
    assert response.status_code == 200, response.content
    me = response.json()
    assert me["display_name"] == "Alice" and me["locked"] is True
    assert me["fields"][0]["name"] == "Site" and me["source"]["note"] == "Hi #there"
    assert "/media/avatars/" in me["avatar"]


def test_update_credentials_validation_is_422(api, alice):
    response = api(alice).patch("/api/v1/accounts/update_credentials",
                                {"display_name": "x" * 31})
    assert response.status_code == 422 and "display_name" in response.json()["details"]


def test_show_lookup_and_search(api, anon, alice, bob):
    assert anon.get(f"/api/v1/accounts/{bob.pk}").json()["username"] == "bob"
    assert anon.get("/api/v1/accounts/lookup", {"acct": "@bob"}).json()["id"] == str(bob.pk)
    assert anon.get("/api/v1/accounts/lookup", {"acct": "nobody"}).status_code == 404
    found = api(alice).get("/api/v1/accounts/search", {"q": "bo"}).json()
    assert [a["acct"] for a in found] == ["bob"]


def test_follow_unfollow_relationships(api, alice, bob):
    client = api(alice)
    rel = client.post(f"/api/v1/accounts/{bob.pk}/follow", {"reblogs": False}).json()
    assert rel["following"] is True and rel["showing_reblogs"] is False
    rels = client.get("/api/v1/accounts/relationships", {"id[]": [bob.pk]}).json()
    assert rels[0]["id"] == str(bob.pk) and rels[0]["following"] is True
    followers = client.get(f"/api/v1/accounts/{bob.pk}/followers").json()
    assert [a["acct"] for a in followers] == ["alice"]
    following = client.get(f"/api/v1/accounts/{alice.pk}/following").json()
    assert [a["acct"] for a in following] == ["bob"]
    assert client.post(f"/api/v1/accounts/{bob.pk}/unfollow").json()["following"] is False


def test_following_oneself_is_422(api, alice):
    assert api(alice).post(f"/api/v1/accounts/{alice.pk}/follow").status_code == 422


def test_locked_account_follow_request_is_authorized(api, alice, make_account):
    locked = make_account("locky", locked=True)
    rel = api(alice).post(f"/api/v1/accounts/{locked.pk}/follow").json()
    assert rel["requested"] is True and rel["following"] is False
    owner = api(locked)
    assert [a["acct"] for a in owner.get("/api/v1/follow_requests").json()] == ["alice"]
    rel = owner.post(f"/api/v1/follow_requests/{alice.pk}/authorize").json()
    assert rel["followed_by"] is True
    assert owner.get("/api/v1/follow_requests").json() == []


def test_follow_request_can_be_rejected(api, alice, make_account):
    locked = make_account("locky", locked=True)
    api(alice).post(f"/api/v1/accounts/{locked.pk}/follow")
    rel = api(locked).post(f"/api/v1/follow_requests/{alice.pk}/reject").json()
    assert rel["requested_by"] is False
    assert api(locked).post(f"/api/v1/follow_requests/{alice.pk}/reject").status_code == 404


def test_block_and_mute_lists(api, alice, bob, carol):
    client = api(alice)
    assert client.post(f"/api/v1/accounts/{bob.pk}/block").json()["blocking"] is True
    rel = client.post(f"/api/v1/accounts/{carol.pk}/mute",
                      {"duration": 3600, "notifications": False}).json()
    assert rel["muting"] is True and rel["muting_notifications"] is False
    assert [a["acct"] for a in client.get("/api/v1/blocks").json()] == ["bob"]
    mutes = client.get("/api/v1/mutes").json()
    assert [a["acct"] for a in mutes] == ["carol"] and mutes[0]["mute_expires_at"]
    assert client.post(f"/api/v1/accounts/{bob.pk}/unblock").json()["blocking"] is False
    assert client.post(f"/api/v1/accounts/{carol.pk}/unmute").json()["muting"] is False


def test_account_statuses_filters(api, alice, bob):
    plain = factories.make_post(alice, "plain")
    reply = factories.make_post(alice, "reply", in_reply_to=factories.make_post(bob, "q"))
    client = api(bob)
    ids = [s["id"] for s in client.get(f"/api/v1/accounts/{alice.pk}/statuses").json()]
    assert ids == [str(reply.pk), str(plain.pk)]
    ids = [s["id"] for s in client.get(f"/api/v1/accounts/{alice.pk}/statuses",
                                       {"exclude_replies": "true"}).json()]
    assert ids == [str(plain.pk)]


def test_account_statuses_hide_private_posts_from_strangers(api, alice, bob):
    factories.make_post(alice, "secret", visibility="private")
    assert api(bob).get(f"/api/v1/accounts/{alice.pk}/statuses").json() == []


def _app_token(scopes="read write"):
    app, _secret = oauth.create_application("Signup", "urn:ietf:wg:oauth:2.0:oob", scopes)
    return oauth.issue_token(app, None, scopes.split()).access_token


def _register(client, token, **extra):
    data = {"username": "newbie", "email": "newbie@example.org",
            "password": factories.PASSWORD, "agreement": "true", "locale": "en", **extra}
    return client.post("/api/v1/accounts", data, headers={"Authorization": f"Bearer {token}"})


def test_registration_with_an_app_token_returns_a_usable_token(client):
    response = _register(client, _app_token())
    assert response.status_code == 200, response.content
    token = response.json()["access_token"]
    me = client.get("/api/v1/accounts/verify_credentials",
                    headers={"Authorization": f"Bearer {token}"})
    assert me.json()["username"] == "newbie"


def test_registration_in_approval_mode_gives_a_token_refused_until_approved(client):
    accounts.update_site_settings(registration_mode="approval")
    response = _register(client, _app_token())
    token = response.json()["access_token"]
    me = client.get("/api/v1/accounts/verify_credentials",
                    headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 403


def test_registration_closed_is_422(client):
    SiteSettings.current()
    accounts.update_site_settings(registration_mode="closed")
    response = _register(client, _app_token())
    assert response.status_code == 422


def test_registration_needs_the_agreement_and_valid_fields(client):
    token = _app_token()
    assert "agreement" in _register(client, token, agreement="false").json()["details"]
    taken = _register(client, token, username="admin").json()
    assert "username" in taken["details"]


def test_registration_needs_a_token(client):
    response = client.post("/api/v1/accounts", {"username": "x"})
    assert response.status_code == 401

"""Statuses: posting, privacy, editing, deleting and the buttons under them."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from rostra.accounts import services as accounts
from tests import factories

pytestmark = pytest.mark.django_db


def _upload(client, description="A red box"):
    image = SimpleUploadedFile("box.png", factories.image_bytes(), content_type="image/png")
    response = client.client.post("/api/v2/media", {"file": image, "description": description,
                                                    "focus": "0.5,-0.25"},
                                  headers={"Authorization": f"Bearer {client.token}"})
    assert response.status_code == 200, response.content
    return response.json()


def test_post_with_media_and_alt_text(api, alice):
    client = api(alice)
    media = _upload(client)
    assert media["type"] == "image" and media["meta"]["focus"] == {"x": 0.5, "y": -0.25}
    response = client.post("/api/v1/statuses", {"status": "A box", "media_ids": [media["id"]]})
    assert response.status_code == 200
    status = response.json()
    assert isinstance(status["id"], str)
    attachment = status["media_attachments"][0]
    assert attachment["description"] == "A red box"
    assert attachment["meta"]["original"] == {"width": 64, "height": 48, "size": "64x48",
                                              "aspect": round(64 / 48, 6)}
    assert attachment["url"].startswith("http") and attachment["blurhash"]
    assert status["url"].endswith(f"/@alice/{status['id']}")
    assert status["account"]["acct"] == "alice"


def test_post_with_a_poll(api, alice):
    response = api(alice).post("/api/v1/statuses", {
        "status": "Tea or coffee?",
        "poll": {"options": ["Tea", "Coffee"], "expires_in": 3600, "multiple": False}})
    assert response.status_code == 200
    poll = response.json()["poll"]
    assert [o["title"] for o in poll["options"]] == ["Tea", "Coffee"]
    assert poll["expired"] is False


def test_poll_in_form_encoding(api, alice):
    client = api(alice)
    response = client.client.post(
        "/api/v1/statuses",
        "status=Pick&poll[options][]=A&poll[options][]=B&poll[expires_in]=600",
        content_type="application/x-www-form-urlencoded",
        headers={"Authorization": f"Bearer {client.token}"})
    assert response.status_code == 200, response.content
    assert len(response.json()["poll"]["options"]) == 2


def test_empty_status_is_422_with_details(api, alice):
    response = api(alice).post("/api/v1/statuses", {"status": "  "})
    assert response.status_code == 422
    body = response.json()
    assert body["error"].startswith("Validation failed")
    assert "status" in body["details"]


def test_too_long_status_is_422(api, alice):
    response = api(alice).post("/api/v1/statuses", {"status": "x" * 501})
    assert response.status_code == 422 and "status" in response.json()["details"]


def test_someone_elses_media_cannot_be_attached(api, alice, bob):
    media = _upload(api(bob))
    response = api(alice).post("/api/v1/statuses", {"status": "x", "media_ids": [media["id"]]})
    assert response.status_code == 422 and "media_ids" in response.json()["details"]


def test_followers_only_status_is_404_for_a_non_follower(api, alice, bob, carol):
    post = factories.make_post(alice, "for followers", visibility="private")
    accounts.follow(bob, alice)
    assert api(bob).get(f"/api/v1/statuses/{post.pk}").status_code == 200
    stranger = api(carol)
    for path in ("", "/context", "/history", "/favourited_by"):
        assert stranger.get(f"/api/v1/statuses/{post.pk}{path}").status_code == 404
    assert stranger.post(f"/api/v1/statuses/{post.pk}/favourite").status_code == 404
    assert stranger.post("/api/v1/statuses", {"status": "hi",
                                              "in_reply_to_id": str(post.pk)}).status_code == 404


def test_anonymous_sees_public_but_not_private(anon, alice):
    public = factories.make_post(alice, "public")
    private = factories.make_post(alice, "private", visibility="private")
    assert anon.get(f"/api/v1/statuses/{public.pk}").status_code == 200
    assert anon.get(f"/api/v1/statuses/{private.pk}").status_code == 404


def test_unknown_or_malformed_id_is_404(api, alice):
    client = api(alice)
    assert client.get("/api/v1/statuses/123").status_code == 404
    assert client.get("/api/v1/statuses/abc").json() == {"error": "Record not found"}


def test_idempotency_key_returns_the_same_status(api, alice):
    client = api(alice)
    first = client.post("/api/v1/statuses", {"status": "once"},
                        headers={"Idempotency-Key": "k1"})
    second = client.post("/api/v1/statuses", {"status": "once"},
                         headers={"Idempotency-Key": "k1"})
    assert first.json()["id"] == second.json()["id"]
    third = client.post("/api/v1/statuses", {"status": "once"},
                        headers={"Idempotency-Key": "k2"})
    assert third.json()["id"] != first.json()["id"]


def test_edit_keeps_history_and_source(api, alice):
    client = api(alice)
    sid = client.post("/api/v1/statuses", {"status": "first"}).json()["id"]
    edited = client.put(f"/api/v1/statuses/{sid}", {"status": "second",
                                                    "spoiler_text": "cw"})
    assert edited.status_code == 200
    assert "second" in edited.json()["content"] and edited.json()["edited_at"]
    history = client.get(f"/api/v1/statuses/{sid}/history").json()
    assert ["first" in h["content"] for h in history] == [True, False]
    assert client.get(f"/api/v1/statuses/{sid}/source").json() == {
        "id": sid, "text": "second", "spoiler_text": "cw"}


def test_only_the_author_edits_or_deletes(api, alice, bob):
    sid = api(alice).post("/api/v1/statuses", {"status": "mine"}).json()["id"]
    other = api(bob)
    assert other.put(f"/api/v1/statuses/{sid}", {"status": "yours"}).status_code == 404
    assert other.delete(f"/api/v1/statuses/{sid}").status_code == 404


def test_delete_returns_the_source_for_redrafting(api, alice):
    client = api(alice)
    sid = client.post("/api/v1/statuses", {"status": "bye"}).json()["id"]
    deleted = client.delete(f"/api/v1/statuses/{sid}")
    assert deleted.status_code == 200 and deleted.json()["text"] == "bye"
    assert client.get(f"/api/v1/statuses/{sid}").status_code == 404


def test_buttons_update_the_viewers_state(api, alice, bob):
    post = factories.make_post(alice, "like me")
    client = api(bob)
    base = f"/api/v1/statuses/{post.pk}"
    assert client.post(base + "/favourite").json()["favourited"] is True
    assert client.post(base + "/bookmark").json()["bookmarked"] is True
    boost = client.post(base + "/reblog").json()
    assert boost["reblog"]["id"] == str(post.pk) and boost["reblogged"] is True
    assert [a["acct"] for a in client.get(base + "/favourited_by").json()] == ["bob"]
    assert [a["acct"] for a in client.get(base + "/reblogged_by").json()] == ["bob"]
    assert client.post(base + "/unreblog").json()["reblogged"] is False
    assert client.post(base + "/unfavourite").json()["favourited"] is False
    assert client.post(base + "/unbookmark").json()["bookmarked"] is False


def test_pin_own_status_only(api, alice, bob):
    post = factories.make_post(alice, "pin me")
    assert api(alice).post(f"/api/v1/statuses/{post.pk}/pin").json()["pinned"] is True
    assert api(bob).post(f"/api/v1/statuses/{post.pk}/pin").status_code == 422
    pinned = api(bob).get(f"/api/v1/accounts/{alice.pk}/statuses", {"pinned": "true"}).json()
    assert [s["id"] for s in pinned] == [str(post.pk)]


def test_followers_only_status_cannot_be_boosted(api, alice, bob):
    accounts.follow(bob, alice)
    post = factories.make_post(alice, "private", visibility="private")
    response = api(bob).post(f"/api/v1/statuses/{post.pk}/reblog")
    assert response.status_code == 422


def test_context_lists_ancestors_and_descendants(api, alice, bob):
    root = factories.make_post(alice, "root")
    reply = factories.make_post(bob, "reply", in_reply_to=root)
    context = api(alice).get(f"/api/v1/statuses/{reply.pk}/context").json()
    assert [s["id"] for s in context["ancestors"]] == [str(root.pk)]
    context = api(alice).get(f"/api/v1/statuses/{root.pk}/context").json()
    assert [s["id"] for s in context["descendants"]] == [str(reply.pk)]


def test_media_can_be_read_and_updated_by_its_owner(api, alice, bob):
    client = api(alice)
    media = _upload(client)
    updated = client.put(f"/api/v1/media/{media['id']}", {"description": "New alt",
                                                          "focus": "0,0"})
    assert updated.json()["description"] == "New alt"
    assert client.get(f"/api/v1/media/{media['id']}").status_code == 200
    assert api(bob).get(f"/api/v1/media/{media['id']}").status_code == 404


def test_upload_without_a_file_is_422(api, alice):
    response = api(alice).post("/api/v2/media", {"description": "nothing"}, json_body=False)
    assert response.status_code == 422 and "file" in response.json()["details"]


def test_upload_of_something_not_an_image_is_422(api, alice):
    client = api(alice)
    junk = SimpleUploadedFile("x.png", b"not an image", content_type="image/png")
    response = client.client.post("/api/v1/media", {"file": junk},
                                  headers={"Authorization": f"Bearer {client.token}"})
    assert response.status_code == 422

"""Actor documents and content negotiation on actor and post URLs."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization

from rostra.accounts import services as accounts
from rostra.federation import keys

pytestmark = pytest.mark.django_db

BASE = "http://localhost:8000"
AS2 = {"HTTP_ACCEPT": "application/activity+json"}
LD = {"HTTP_ACCEPT": 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'}
HTML = {"HTTP_ACCEPT": "text/html,application/xhtml+xml,*/*;q=0.8"}


def test_actor_document_has_mastodons_key_fields(client, alice):
    accounts.update_profile(alice, display_name="Alice A.", note="Hi, I am #alice",
                            fields=[{"name": "Site", "value": "https://alice.example"},
                                    {"name": "Pronouns", "value": "she/<her>"}])
    response = client.get("/users/alice", **AS2)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/activity+json"
    actor = response.json()
    context = actor["@context"]
    assert context[:2] == ["https://www.w3.org/ns/activitystreams",
                           "https://w3id.org/security/v1"]
    for term in ("toot", "schema", "manuallyApprovesFollowers", "discoverable", "featured",
                 "alsoKnownAs", "movedTo", "PropertyValue", "blurhash", "focalPoint",
                 "sensitive", "Hashtag"):
        assert term in context[2], term
    assert actor["id"] == f"{BASE}/users/alice"
    assert actor["type"] == "Person"
    assert actor["preferredUsername"] == "alice"
    assert actor["name"] == "Alice A."
    assert "#<span>alice</span>" in actor["summary"]
    assert f'href="{BASE}/tags/alice"' in actor["summary"]
    assert actor["url"] == f"{BASE}/@alice"
    assert actor["inbox"] == f"{BASE}/users/alice/inbox"
    assert actor["outbox"] == f"{BASE}/users/alice/outbox"
    assert actor["followers"] == f"{BASE}/users/alice/followers"
    assert actor["following"] == f"{BASE}/users/alice/following"
    assert actor["featured"] == f"{BASE}/users/alice/collections/featured"
    assert actor["endpoints"] == {"sharedInbox": f"{BASE}/inbox"}
    assert actor["manuallyApprovesFollowers"] is False
    assert actor["discoverable"] is True
    assert actor["published"].endswith("T00:00:00Z")
    assert actor["alsoKnownAs"] == []
    assert "movedTo" not in actor
    key = actor["publicKey"]
    assert key["id"] == f"{BASE}/users/alice#main-key"
    assert key["owner"] == actor["id"]
    loaded = serialization.load_pem_public_key(key["publicKeyPem"].encode())
    assert loaded.key_size == 2048
    site, pronouns = actor["attachment"]
    assert site["type"] == "PropertyValue" and site["name"] == "Site"
    assert 'href="https://alice.example"' in site["value"]
    assert pronouns["value"] == "she/&lt;her&gt;"


def test_actor_keys_are_made_once_and_kept(client, alice):
    first = client.get("/users/alice", **AS2).json()["publicKey"]["publicKeyPem"]
    second = client.get("/users/alice", **AS2).json()["publicKey"]
    assert second["publicKeyPem"] == first
    alice.refresh_from_db()
    assert alice.public_key == first
    assert "PRIVATE KEY" in alice.private_key


def test_ensure_keys_does_not_replace_existing_keys(alice):
    keys.ensure_keys(alice)
    before = alice.private_key
    alice.private_key = ""  # a stale in-memory copy racing another process
    keys.ensure_keys(alice)
    assert alice.private_key == before


def test_bot_accounts_are_services(client, alice):
    accounts.update_profile(alice, bot=True)
    assert client.get("/users/alice", **AS2).json()["type"] == "Service"


def test_locked_accounts_manually_approve_followers(client, make_account):
    make_account("locky", locked=True)
    assert client.get("/users/locky", **AS2).json()["manuallyApprovesFollowers"] is True


def test_avatar_is_the_icon(client, alice):
    from tests.factories import image_bytes

    accounts.update_profile(alice, avatar=image_bytes(size=(500, 500)))
    icon = client.get("/users/alice", **AS2).json()["icon"]
    assert icon["type"] == "Image"
    assert icon["url"].startswith(f"{BASE}/media/")
    assert icon["mediaType"].startswith("image/")


def test_ld_json_with_the_activitystreams_profile_gets_as2(client, alice):
    response = client.get("/users/alice", **LD)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/activity+json"


def test_browsers_are_redirected_from_users_to_the_profile(client, alice):
    response = client.get("/users/alice", **HTML)
    assert response.status_code == 302
    assert response["Location"] == "/@alice"


def test_profile_page_serves_as2_to_servers(client, alice):
    response = client.get("/@alice", **AS2)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/activity+json"
    assert response.json()["id"] == f"{BASE}/users/alice"
    assert "Accept" in response["Vary"]


def test_profile_page_still_serves_html_to_browsers(client, alice):
    response = client.get("/@alice", **HTML)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "Accept" in response["Vary"]


def test_unknown_actor_is_404_both_ways(client, db):
    assert client.get("/users/nobody", **AS2).status_code == 404
    assert client.get("/@nobody", **AS2).status_code == 404


def test_instance_actor(client, db):
    actor = client.get("/actor", **AS2).json()
    assert actor["id"] == f"{BASE}/actor"
    assert actor["type"] == "Application"
    assert actor["preferredUsername"] == "localhost"
    assert actor["publicKey"]["id"] == f"{BASE}/actor#main-key"
    assert "PUBLIC KEY" in actor["publicKey"]["publicKeyPem"]
    assert client.get("/actor/outbox").json()["totalItems"] == 0


def test_instance_actor_is_not_an_account(client, db):
    from rostra.accounts.models import Account

    client.get("/actor", **AS2)
    assert not Account.objects.exists()


def test_signer_for_signs_as_the_account_and_the_instance(alice):
    from rostra.federation.signatures import verify_request

    for signer, key in ((keys.signer_for(alice), lambda: alice.public_key),
                        (keys.signer_for(None), lambda: keys.instance_actor().public_key)):
        headers = {"Host": "remote.example", "Accept": "application/activity+json"}
        headers.update(signer("GET", "https://remote.example/x", headers, b""))
        assert verify_request("GET", "https://remote.example/x", headers, b"",
                              lambda key_id, key=key: key()) == signer.key_id
    assert keys.signer_for(alice).key_id == f"{BASE}/users/alice#main-key"


def test_inboxes_refuse_unsigned_posts(client, alice):
    assert client.post("/users/alice/inbox", b"{}",
                       content_type="application/activity+json").status_code == 401
    assert client.post("/inbox", b"{}", content_type="application/activity+json"
                       ).status_code == 401

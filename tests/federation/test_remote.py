"""Remote actors and objects fetched over real HTTP; authorized fetch; domain blocks
in timelines; search and lookup resolving remote handles."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from rostra.accounts import services as accounts
from rostra.accounts.models import Account, FollowRequest
from rostra.core import net
from rostra.federation import remote as remote_mod
from rostra.federation.keys import signer_for
from rostra.federation.models import DomainBlock, FederationSettings, RemoteActor
from rostra.federation.signatures import sign_request
from rostra.posts.models import Post
from rostra.timelines import services as timelines
from rostra.timelines.pagination import Page
from tests import factories
from tests.federation.remote_rig import AS2


def gets(remote, path):
    return [hit for hit in remote.server.hits if hit[1] == path]


def test_fetch_actor_stores_and_caches_for_a_day(remote):
    account = remote_mod.fetch_actor(remote.uri("zoe"))
    assert account.username == "zoe" and account.domain == remote.domain
    assert account.remote_actor.key_id == f"{remote.uri('zoe')}#main-key"
    assert account.remote_actor.avatar_url == f"{remote.base}/avatar.png"
    assert "Signature" in gets(remote, "/users/zoe")[0][2]  # signed by our instance actor
    remote_mod.fetch_actor(remote.uri("zoe"))
    assert len(gets(remote, "/users/zoe")) == 1
    RemoteActor.objects.update(fetched_at=timezone.now() - timedelta(days=2))
    remote_mod.fetch_actor(remote.uri("zoe"))
    assert len(gets(remote, "/users/zoe")) == 2


def test_an_actor_document_claiming_another_server_is_refused(remote):
    remote.serve("/users/liar", {**remote.actor("zoe"), "id": "https://victim.example/u/x"})
    with pytest.raises(remote_mod.RemoteError):
        remote_mod.fetch_actor(f"{remote.base}/users/liar")
    assert not Account.objects.exclude(domain="").exists()


def test_resolve_handle_uses_webfinger(remote):
    remote.webfinger("zoe")
    account = remote_mod.resolve_handle(f"@zoe@{remote.domain}")
    assert account.uri == remote.uri("zoe")


def test_a_remote_object_at_a_private_address_is_refused(settings, remote, monkeypatch):
    settings.ROSTRA_FEDERATION_ALLOW_PRIVATE = False
    port = remote.server.server_address[1]
    monkeypatch.setattr(net, "_exempt_endpoints", {("127.0.0.1", port)})
    remote_mod.fetch_actor(remote.uri("zoe"))  # the exempted test server still answers
    with pytest.raises(remote_mod.RemoteError):
        remote_mod.fetch_object("http://10.0.0.1/users/zoe/statuses/1")
    with pytest.raises(remote_mod.RemoteError):
        remote_mod.fetch_object("http://127.0.0.1:9/notes/1")
    assert not Post.objects.exists()


def test_reply_chains_are_fetched_at_most_five_deep(remote):
    parent_id = None
    for i in range(8):
        extra = {"inReplyTo": parent_id} if parent_id else {}
        note = remote.note("zoe", f"<p>{i}</p>", **extra)
        remote.serve(note["id"].split(remote.base)[1], note)
        parent_id = note["id"]
    remote_mod.fetch_object(parent_id)
    assert Post.objects.count() == 1 + remote_mod.MAX_REPLY_DEPTH


def test_resolve_url_finds_a_post_by_its_id(remote):
    note = remote.note("zoe", "<p>found</p>")
    remote.serve(note["id"].split(remote.base)[1], note)
    post = remote_mod.resolve_url(note["id"])
    assert isinstance(post, Post) and post.content == "<p>found</p>"


# --- authorized fetch ------------------------------------------------------------------

def signed_get(client, remote, path, name="zoe"):
    url = f"http://localhost:8000{path}"
    headers = sign_request("GET", url, {"Accept": AS2, "Host": "localhost:8000"},
                           key_id=f"{remote.uri(name)}#main-key",
                           private_key_pem=remote.keys[name][0])
    extra = {f"HTTP_{k.upper()}": v for k, v in headers.items() if k != "Host"}
    return client.get(path, HTTP_ACCEPT=AS2, HTTP_HOST="localhost:8000", **extra)


def test_authorized_fetch_requires_a_signature_for_posts(client, remote, alice):
    FederationSettings.objects.update_or_create(pk=1, defaults={"authorized_fetch": True})
    post = factories.make_post(alice)
    path = f"/users/alice/statuses/{post.pk}"
    assert client.get(path, HTTP_ACCEPT=AS2).status_code == 401
    assert client.get("/users/alice/outbox", HTTP_ACCEPT=AS2).status_code == 401
    assert signed_get(client, remote, path).status_code == 200
    minimal = client.get("/users/alice", HTTP_ACCEPT=AS2).json()
    assert "publicKey" in minimal and "followers" not in minimal


def test_followers_only_post_is_served_to_a_follower_signed_fetch_only(client, remote, alice,
                                                                         other_rsa_pair):
    zoe = remote_mod.fetch_actor(remote.uri("zoe"))
    remote.actor("mallory", keys=other_rsa_pair)
    accounts.follow(zoe, alice)
    post = factories.make_post(alice, "for followers", visibility="private")
    path = f"/users/alice/statuses/{post.pk}"
    assert client.get(path, HTTP_ACCEPT=AS2).status_code == 404
    assert signed_get(client, remote, path).status_code == 200
    assert signed_get(client, remote, path, name="mallory").status_code == 404


# --- domain blocks ---------------------------------------------------------------------

def test_silenced_domain_posts_stay_out_of_public_timelines_except_for_followers(
        remote, alice, bob):
    zoe = remote_mod.fetch_actor(remote.uri("zoe"))
    remote_mod.store_object(remote.note("zoe"), fetched_from=zoe.uri, author=zoe)
    assert len(timelines.public(bob, Page())) == 1
    DomainBlock.objects.create(domain="127.0.0.1", severity="silence")
    assert timelines.public(bob, Page()) == []
    request = accounts.follow(alice, zoe)
    if isinstance(request, FollowRequest):
        accounts.accept_follow_request(zoe, request)
    assert len(timelines.public(alice, Page())) == 1


def test_reject_media_leaves_attachments_out(remote):
    DomainBlock.objects.create(domain="127.0.0.1", severity="noop", reject_media=True)
    zoe = remote_mod.fetch_actor(remote.uri("zoe"))
    note = remote.note("zoe", attachment=[{"type": "Document", "url": "https://x.example/a.png",
                                           "mediaType": "image/png"}])
    post = remote_mod.store_object(note, fetched_from=zoe.uri, author=zoe)
    assert not post.media.exists() and zoe.remote_actor.avatar_url == ""


# --- search and lookup -----------------------------------------------------------------

@pytest.fixture
def token(alice):
    from rostra.api import oauth

    app, _secret = oauth.create_application("t", "urn:ietf:wg:oauth:2.0:oob", "read")
    return oauth.issue_token(app, alice.user, ["read"]).access_token


def test_api_search_resolves_a_remote_handle(client, remote, token):
    remote.webfinger("zoe")
    response = client.get("/api/v2/search", {"q": f"@zoe@{remote.domain}", "resolve": "true"},
                          HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert [a["acct"] for a in response.json()["accounts"]] == [f"zoe@{remote.domain}"]


def test_api_lookup_resolves_a_remote_handle(client, remote, token):
    remote.webfinger("zoe")
    response = client.get("/api/v1/accounts/lookup", {"acct": f"zoe@{remote.domain}"},
                          HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200 and response.json()["username"] == "zoe"


def test_signer_for_instance_actor_is_used_for_fetches(remote):
    assert signer_for(None).key_id.endswith("/actor#main-key")

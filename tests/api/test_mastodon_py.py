"""Mastodon.py, a real client, against a real ``rostra serve`` process."""

from __future__ import annotations

import base64
import hashlib
import io
import re
import secrets
from html import unescape
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from PIL import Image

from tests.api.live import PASSWORD, running_server

mastodon = pytest.importorskip("mastodon")
Mastodon = mastodon.Mastodon

REDIRECT = "https://client.example/callback"


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (80, 60), (20, 120, 200)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with running_server(tmp_path_factory.mktemp("rostra-api")) as base:
        yield base


@pytest.fixture(scope="module")
def client_app(server):
    return Mastodon.create_app("Rostra tests", api_base_url=server,
                               scopes=["read", "write", "follow"],
                               redirect_uris=[REDIRECT, "urn:ietf:wg:oauth:2.0:oob"])


def _login(server, client_app, username: str) -> Mastodon:
    client_id, client_secret = client_app
    api = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=server)
    api.log_in(username, PASSWORD, scopes=["read", "write", "follow"], allow_http=True)
    return api


def _hidden_fields(html: str) -> dict[str, str]:
    return {unescape(n): unescape(v) for n, v in
            re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html)}


def _authorization_code(server, client_app, login: str, password: str,
                        challenge: str = "") -> str:
    """Drive /oauth/authorize as a browser would (log in, consent); return the code."""
    client_id, client_secret = client_app
    api = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=server)
    url = api.auth_request_url(redirect_uris=REDIRECT, scopes=["read", "write"], state="xyz",
                                allow_http=True)
    if challenge:
        url += f"&code_challenge={challenge}&code_challenge_method=S256"
    with httpx.Client(follow_redirects=False) as browser:
        page = browser.get(url)
        assert page.status_code == 200 and "Log in" in page.text
        fields = _hidden_fields(page.text)
        fields.update(login=login, password=password)
        consent = browser.post(server + "/oauth/authorize", data=fields)
        assert consent.status_code == 200 and "Authorize" in consent.text
        fields = _hidden_fields(consent.text)
        fields["action"] = "approve"
        answer = browser.post(server + "/oauth/authorize", data=fields)
    assert answer.status_code == 302
    location = answer.headers["location"]
    assert location.startswith(REDIRECT)
    query = parse_qs(urlsplit(location).query)
    assert query["state"] == ["xyz"]
    return query["code"][0]


def test_version_is_understood(server, client_app):
    api = _login(server, client_app, "alice")
    assert api.retrieve_mastodon_version().startswith("4.3")
    assert api.verify_minimum_version("4.0.0", cached=True)
    info = api.instance()
    assert info.configuration.statuses.max_characters == 500


def test_authorization_code_grant_with_mastodon_py(server, client_app):
    code = _authorization_code(server, client_app, "carol", PASSWORD)
    client_id, client_secret = client_app
    api = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=server)
    api.log_in(code=code, redirect_uri=REDIRECT, scopes=["read", "write"], allow_http=True)
    assert api.account_verify_credentials().username == "carol"


def test_authorization_code_grant_with_pkce_and_no_secret(server, client_app):
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    code = _authorization_code(server, client_app, "carol@example.org", PASSWORD,
                               challenge.rstrip(b"=").decode())
    token = httpx.post(server + "/oauth/token", data={
        "grant_type": "authorization_code", "code": code, "client_id": client_app[0],
        "redirect_uri": REDIRECT, "code_verifier": verifier,
    })
    assert token.status_code == 200, token.text
    api = Mastodon(access_token=token.json()["access_token"], api_base_url=server)
    assert api.account_verify_credentials().username == "carol"


def test_a_day_in_the_life(server, client_app):
    alice = _login(server, client_app, "alice")
    bob = _login(server, client_app, "bob")
    me = alice.account_verify_credentials()
    bob_account = bob.account_verify_credentials()

    # Bob locks his account; Alice asks to follow and Bob accepts.
    bob.account_update_credentials(locked=True)
    relationship = alice.account_follow(bob_account.id)
    assert relationship.requested and not relationship.following
    requests_ = bob.follow_requests()
    assert [a.id for a in requests_] == [me.id]
    bob.follow_request_authorize(me.id)
    assert alice.account_relationships(bob_account.id)[0].following
    bob.account_follow(me.id)

    # A post with an image and alt text.
    media = alice.media_post(_png(), mime_type="image/png", description="A blue square")
    assert media.type == "image" and media.description == "A blue square"
    status = alice.status_post("Look at this #blue square", media_ids=[media])
    assert status.media_attachments[0].description == "A blue square"
    assert status.media_attachments[0].meta.original.width == 80
    assert status.tags[0].name == "blue"

    # Bob replies, boosts and likes; Alice is told.
    reply = bob.status_post("Very blue!", in_reply_to_id=status)
    assert reply.in_reply_to_id == status.id
    boost = bob.status_reblog(status)
    assert boost.reblog.id == status.id
    liked = bob.status_favourite(status)
    assert liked.favourited and liked.favourites_count == 1
    kinds = {n.type for n in alice.notifications()}
    assert {"mention", "reblog", "favourite", "follow"} <= kinds
    context = alice.status_context(status)
    assert [s.id for s in context.descendants] == [reply.id]

    # Home timeline, paged with fetch_next.
    for i in range(5):
        bob.status_post(f"Bob's note number {i}", visibility="private")
    first = alice.timeline_home(limit=3)
    assert len(first) == 3
    second = alice.fetch_next(first)
    assert second and all(s.id < first[-1].id for s in second)

    # Search.
    found = alice.search_v2("blue", result_type="statuses")
    assert status.id in [s.id for s in found.statuses]
    assert [a.acct for a in alice.search_v2("bob", result_type="accounts").accounts] == ["bob"]

    # A new avatar.
    updated = alice.account_update_credentials(avatar=_png(), avatar_mime_type="image/png",
                                               display_name="Alice A.")
    assert updated.display_name == "Alice A." and "/media/avatars/" in updated.avatar

    # Delete: gone for everyone.
    deleted = alice.status_delete(status)
    assert deleted.text.startswith("Look at this")
    with pytest.raises(mastodon.MastodonNotFoundError):
        bob.status(status.id)


def test_a_private_note_is_read_back_by_its_author_only(server, client_app):
    alice = _login(server, client_app, "alice")
    carol = _login(server, client_app, "carol")
    bob_id = alice.account_lookup("bob").id
    assert alice.account_note_set(bob_id, "Met at the conference").note == \
        "Met at the conference"
    assert alice.account_relationships(bob_id)[0].note == "Met at the conference"
    assert carol.account_relationships(bob_id)[0].note == ""
    assert alice.account_note_set(bob_id, "").note == ""


def test_followers_only_post_is_hidden_from_a_stranger(server, client_app):
    alice = _login(server, client_app, "alice")
    carol = _login(server, client_app, "carol")
    secret_post = alice.status_post("Only for my followers", visibility="private")
    with pytest.raises(mastodon.MastodonNotFoundError):
        carol.status(secret_post.id)


def test_a_muted_conversation_with_mastodon_py(server, client_app):
    alice = _login(server, client_app, "alice")
    carol = _login(server, client_app, "carol")
    question = alice.status_post("Who wants tea?")
    assert alice.status_mute(question).muted
    while_muted = carol.status_post("@alice me!", in_reply_to_id=question)
    assert not alice.status_unmute(question).muted
    after = carol.status_post("@alice me again!", in_reply_to_id=question)
    told = {n.status.id for n in alice.notifications() if n.status}
    assert after.id in told and while_muted.id not in told


def test_following_a_hashtag_with_mastodon_py(server, client_app):
    carol = _login(server, client_app, "carol")
    bob = _login(server, client_app, "bob")
    followed = carol.tag_follow("OpenData")
    assert followed.name == "OpenData" and followed.following
    assert [t.name for t in carol.followed_tags()] == ["OpenData"]
    post = bob.status_post("New city budget released #opendata")
    assert post.id in [s.id for s in carol.timeline_home()]
    assert carol.tag("opendata").following
    assert not carol.tag_unfollow("opendata").following
    assert post.id not in [s.id for s in carol.timeline_home()]

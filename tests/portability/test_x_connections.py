"""Reconnecting people from X: private connections, the opt-in, the lists, follow-all,
the signed lookup between servers, and X ids never shown publicly."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from rostra.accounts.models import Account, Follow
from rostra.federation.models import RemoteInstance
from rostra.federation.signatures import sign_request
from rostra.portability import x_connections as xc
from rostra.portability import x_lookup
from rostra.portability.importer import import_x_archive
from rostra.portability.models import XConnection, XIdentity, XRemoteMapping
from rostra.portability.x_archive import XArchive
from rostra.posts.models import Post
from tests.factories import PASSWORD
from tests.federation.conftest import http_server, other_rsa_pair, rsa_pair  # noqa: F401
from tests.federation.remote_rig import FakeRemote
from tests.portability.archives import FIXTURE, tweet, write_archive, ytd, zip_fixture

ALICE_X = "1111111111111111111"
BOB_X = "2222222222222222222"
CAROL_X = "3333333333333333333"
STRANGER_X = "4444444444444444444"
LOOKUP = "/x-connections/lookup"


def x_archive(tmp_path, owner_id: str, name: str, *, followers=(), following=(), tweets=()):
    files = {
        "data/account.js": ytd("account", [{"account": {
            "username": name, "accountId": owner_id, "accountDisplayName": name.title()}}]),
        "data/follower.js": ytd("follower", [{"follower": {"accountId": i}} for i in followers]),
        "data/following.js": ytd("following", [{"following": {"accountId": i}}
                                               for i in following]),
        "data/tweets.js": ytd("tweets", list(tweets)),
    }
    return write_archive(tmp_path / f"{name}.zip", files)


def imported(make_user, tmp_path, username, owner_id, **kwargs):
    user = make_user(username)
    import_x_archive(user, x_archive(tmp_path, owner_id, f"{username}_x", **kwargs))
    return user


@pytest.fixture
def pair(db, make_user, tmp_path):
    """alice followed bob on X; bob's archive lists alice as a follower."""
    alice = imported(make_user, tmp_path, "alice", ALICE_X, following=[BOB_X, STRANGER_X])
    bob = imported(make_user, tmp_path, "bob", BOB_X, followers=[ALICE_X])
    return alice, bob


def accounts_in(people) -> set[str]:
    return {p.account.acct for p in people}


# --- recording ---------------------------------------------------------------------------

def _fixture_ids(kind: str) -> set[str]:
    text = (FIXTURE / "data" / f"{kind}.js").read_text()
    records = json.loads(text[text.index("["):])
    return {r[kind]["accountId"] for r in records}


def test_the_fixture_archive_keeps_its_owner_and_connections(db, make_user, tmp_path):
    user = make_user()
    with XArchive(zip_fixture(tmp_path / "x.zip")) as archive:
        counts = xc.record_from_archive(user, archive)
    owner = json.loads((FIXTURE / "data/account.js").read_text().split("=", 1)[1])
    owner_id = owner[0]["account"]["accountId"]
    followers, following = _fixture_ids("follower") - {owner_id}, _fixture_ids("following")
    assert counts == {"followers": len(followers), "following": len(following - {owner_id})}
    identity = XIdentity.objects.get(user=user)
    assert (identity.x_account_id, identity.x_username) == (owner_id, "milahu104")
    assert not identity.findable
    stored = set(XConnection.objects.filter(user=user, direction="follower")
                 .values_list("x_account_id", flat=True))
    assert stored == followers and len(stored) == 61


def test_import_records_connections_and_a_reimport_replaces_them(db, make_user, tmp_path):
    user = imported(make_user, tmp_path, "alice", ALICE_X, following=[BOB_X])
    assert set(XConnection.objects.filter(user=user).values_list("x_account_id", flat=True)
               ) == {BOB_X}
    xc.set_findable(user, True)
    import_x_archive(user, x_archive(tmp_path, ALICE_X, "again", following=[CAROL_X]))
    assert set(XConnection.objects.filter(user=user).values_list("x_account_id", flat=True)
               ) == {CAROL_X}
    assert XIdentity.objects.get(user=user).findable  # same X account: the opt-in stays
    import_x_archive(user, x_archive(tmp_path, STRANGER_X, "other"))
    assert not XIdentity.objects.get(user=user).findable  # another X account: reset


def test_a_dry_run_records_nothing(db, make_user, tmp_path):
    user = make_user()
    import_x_archive(user, x_archive(tmp_path, ALICE_X, "a", following=[BOB_X]), dry_run=True)
    assert not XIdentity.objects.exists() and not XConnection.objects.exists()


def test_hostile_connection_records_are_skipped(db, make_user, tmp_path):
    path = write_archive(tmp_path / "h.zip", {
        "data/account.js": ytd("account", [{"account": {"accountId": ALICE_X}}]),
        "data/following.js": ytd("following", [
            {"following": {"accountId": "12; DROP"}}, {"following": "x"},
            {"following": {"accountId": "9" * 40}}, {"following": {"accountId": BOB_X}},
            {"following": {"accountId": BOB_X}}, {"following": {"accountId": ALICE_X}}]),
    })
    user = make_user()
    with XArchive(path) as archive:
        assert xc.record_from_archive(user, archive) == {"followers": 0, "following": 1}


# --- the opt-in and the lists ---------------------------------------------------------

def test_nobody_appears_before_both_opt_in(pair):
    alice, bob = pair
    assert xc.people_here(alice) == {"following": [], "followers": []}
    xc.set_findable(alice, True)
    assert xc.people_here(alice)["following"] == []  # bob has not opted in


def test_opt_in_makes_each_appear_to_the_other(pair):
    alice, bob = pair
    xc.set_findable(alice, True)
    xc.set_findable(bob, True)
    assert accounts_in(xc.people_here(alice)["following"]) == {"bob"}
    assert accounts_in(xc.people_here(bob)["followers"]) == {"alice"}
    assert xc.people_here(alice)["followers"] == []


def test_opting_out_removes_one_at_once(pair):
    alice, bob = pair
    xc.set_findable(alice, True)
    xc.set_findable(bob, True)
    xc.set_findable(bob, False)
    assert xc.people_here(alice)["following"] == []
    assert xc.lookup([BOB_X]) == []


def test_follow_all_follows_and_the_page_marks_them(pair, client):
    alice, bob = pair
    xc.set_findable(alice, True)
    xc.set_findable(bob, True)
    client.login(username="alice", password=PASSWORD)
    page = client.get(reverse("web:x_connections"))
    assert "People you followed on X who are here" in page.text and "@bob" in page.text
    response = client.post(reverse("web:x_connections_follow"), {"list": "following"})
    assert response.status_code == 302
    assert Follow.objects.filter(account=alice.account, target_account=bob.account).exists()
    page = client.get(reverse("web:x_connections"))
    assert re.search(r"@bob.*?Following", page.text, re.S)


def test_follow_one_only_follows_someone_on_the_list(pair, client, make_user):
    alice, bob = pair
    outsider = make_user("outsider")
    xc.set_findable(alice, True)
    xc.set_findable(bob, True)
    client.login(username="alice", password=PASSWORD)
    client.post(reverse("web:x_connections_follow"),
                {"list": "following", "account": outsider.account.pk})
    assert not Follow.objects.filter(account=alice.account).exists()
    client.post(reverse("web:x_connections_follow"),
                {"list": "following", "account": bob.account.pk})
    assert Follow.objects.filter(account=alice.account, target_account=bob.account).exists()


def test_the_opt_in_form_sets_and_clears_the_flag(pair, client):
    alice, _ = pair
    client.login(username="alice", password=PASSWORD)
    page = client.get(reverse("web:x_connections"))
    assert "never shown" in page.text and 'name="findable" checked' not in page.text
    client.post(reverse("web:x_connections"), {"findable": "on"})
    assert XIdentity.objects.get(user=alice).findable
    client.post(reverse("web:x_connections"), {})
    assert not XIdentity.objects.get(user=alice).findable


def test_the_forms_need_csrf(pair):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.login(username="alice", password=PASSWORD)
    assert client.post(reverse("web:x_connections"), {"findable": "on"}).status_code == 403
    assert client.post(reverse("web:x_connections_follow"),
                       {"list": "following"}).status_code == 403


# --- mentions --------------------------------------------------------------------------

def test_a_mention_of_a_findable_x_account_links_to_its_profile_here(db, make_user,
                                                                     tmp_path):
    bob = imported(make_user, tmp_path, "bob", BOB_X)
    xc.set_findable(bob, True)
    mention = {"screen_name": "bob_x", "id_str": BOB_X, "indices": ["3", "9"]}
    stranger = {"screen_name": "nobody", "id_str": STRANGER_X, "indices": ["14", "21"]}
    post = tweet(5, "Hi @bob_x and @nobody",
                 entities={"hashtags": [], "urls": [], "user_mentions": [mention, stranger]})
    alice = imported(make_user, tmp_path, "alice", ALICE_X, tweets=[post])
    text = Post.objects.get(account=alice.account).text
    assert "http://localhost:8000/@bob" in text and "x.com/bob_x" not in text
    assert "https://x.com/nobody" in text


# --- the lookup endpoint ----------------------------------------------------------------

@pytest.fixture
def peer(settings, http_server, rsa_pair):  # noqa: F811
    """A remote server whose instance actor (``/actor``) can sign lookups."""
    settings.ROSTRA_FEDERATION_ALLOW_HTTP = True
    settings.ROSTRA_FEDERATION_ALLOW_PRIVATE = True
    fake = FakeRemote(http_server, *rsa_pair)
    actor = f"{fake.base}/actor"
    fake.serve("/actor", {"id": actor, "type": "Application", "preferredUsername": "peer",
                          "inbox": f"{actor}/inbox", "publicKey": {
                              "id": f"{actor}#main-key", "owner": actor,
                              "publicKeyPem": fake.public_pem}})
    fake.actor("person")
    return fake


def ask(client, peer, body, *, key_id=None, private_pem=None, signed=True):
    from django.conf import settings

    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    host = settings.ROSTRA_DOMAIN
    headers = {"Content-Type": "application/json", "Host": host}
    extra = {}
    if signed:
        signed_headers = sign_request(
            "POST", f"{settings.ROSTRA_SCHEME}://{host}{LOOKUP}", headers, raw,
            key_id=key_id or f"{peer.base}/actor#main-key",
            private_key_pem=private_pem or peer.private_pem)
        extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in signed_headers.items()
                 if k != "Host"}
    return client.post(LOOKUP, raw, content_type="application/json", HTTP_HOST=host, **extra)


def test_a_signed_lookup_answers_only_opted_in_accounts(pair, client, peer, make_user,
                                                        tmp_path):
    alice, bob = pair
    imported(make_user, tmp_path, "carol", CAROL_X)  # never opts in
    xc.set_findable(bob, True)
    response = ask(client, peer, {"ids": [ALICE_X, BOB_X, CAROL_X, STRANGER_X]})
    assert response.status_code == 200
    assert response.json() == {"results": [
        {"x_id": BOB_X, "actor": "http://localhost:8000/users/bob"}]}
    assert "bob_x" not in response.text  # never the X username


def test_an_unsigned_lookup_is_refused(pair, client, peer):
    xc.set_findable(pair[1], True)
    response = ask(client, peer, {"ids": [BOB_X]}, signed=False)
    assert response.status_code == 401 and BOB_X not in response.text


def test_a_forged_lookup_is_refused(pair, client, peer, other_rsa_pair):  # noqa: F811
    xc.set_findable(pair[1], True)
    response = ask(client, peer, {"ids": [BOB_X]}, private_pem=other_rsa_pair[0])
    assert response.status_code == 401 and BOB_X not in response.text


def test_a_person_cannot_ask_only_a_server(pair, client, peer):
    xc.set_findable(pair[1], True)
    response = ask(client, peer, {"ids": [BOB_X]}, key_id=f"{peer.uri('person')}#main-key")
    assert response.status_code == 403 and BOB_X not in response.text


def test_too_many_ids_or_a_bad_body_is_a_400(pair, client, peer):
    many = [str(10**18 + i) for i in range(xc.MAX_LOOKUP_IDS + 1)]
    assert ask(client, peer, {"ids": many}).status_code in (400, 413)
    assert ask(client, peer, {"ids": "1"}).status_code == 400
    assert ask(client, peer, b"[").status_code == 400


def test_lookups_are_rate_limited_per_server(pair, client, peer, settings, monkeypatch):
    from django.core.cache import cache

    from rostra.federation.views import x_connections as view

    cache.clear()
    settings.ROSTRA_RATE_LIMITS_ENABLED = True
    monkeypatch.setattr(view, "RATE_LIMIT", 2)
    codes = [ask(client, peer, {"ids": [BOB_X]}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_nodeinfo_advertises_the_lookup(db, client):
    info = client.get("/nodeinfo/2.1").json()
    assert info["metadata"]["rostraXConnections"] == {
        "lookup": "http://localhost:8000/x-connections/lookup", "maxIds": 1000}


# --- the asking side ------------------------------------------------------------------------

def _serve_lookup(peer, results: list[dict]) -> None:
    nodeinfo = f"{peer.base}/nodeinfo/2.1"
    peer.server.routes["/.well-known/nodeinfo"] = (200, {"Content-Type": "application/json"},
        json.dumps({"links": [{"rel": "http://nodeinfo.diaspora.software/ns/schema/2.1",
                               "href": nodeinfo}]}).encode())
    peer.server.routes["/nodeinfo/2.1"] = (200, {"Content-Type": "application/json"},
        json.dumps({"metadata": {"rostraXConnections": {
            "lookup": f"{peer.base}{LOOKUP}", "maxIds": 1000}}}).encode())
    peer.server.routes[LOOKUP] = (200, {"Content-Type": "application/json"},
                                  json.dumps({"results": results}).encode())


def test_refresh_asks_servers_signed_and_believes_only_their_own_actors(pair, peer):
    alice, _ = pair
    xc.set_findable(alice, True)
    RemoteInstance.objects.create(domain=peer.domain)
    _serve_lookup(peer, [{"x_id": STRANGER_X, "actor": peer.uri("person")},
                         {"x_id": STRANGER_X, "actor": "https://elsewhere.example/users/x"},
                         {"x_id": CAROL_X, "actor": peer.uri("person")}])  # not asked
    outcome = x_lookup.refresh_for(alice)
    assert outcome == {"servers": 1, "found": 1, "failed": 0}
    posted = [h for h in peer.server.hits if h[1] == LOOKUP]
    assert posted and "Signature" in posted[0][2]
    assert list(XRemoteMapping.objects.values_list("x_account_id", "actor_uri")) == [
        (STRANGER_X, peer.uri("person"))]
    assert accounts_in(xc.people_here(alice)["following"]) == {f"person@{peer.domain}"}
    _serve_lookup(peer, [])  # the person opted out there
    x_lookup.lookup_servers()  # probed a moment ago: not probed again
    x_lookup.refresh_for(alice)
    assert not XRemoteMapping.objects.exists()
    assert xc.people_here(alice)["following"] == []


def test_refresh_sends_nothing_for_someone_who_did_not_opt_in(pair, peer):
    alice, _ = pair
    RemoteInstance.objects.create(domain=peer.domain)
    _serve_lookup(peer, [])
    assert x_lookup.refresh_for(alice) == {"servers": 0, "found": 0, "failed": 0}
    assert not peer.server.hits


def test_a_server_without_the_capability_is_not_asked(pair, peer):
    alice, _ = pair
    xc.set_findable(alice, True)
    RemoteInstance.objects.create(domain=peer.domain)
    peer.server.routes["/.well-known/nodeinfo"] = (200, {"Content-Type": "application/json"},
                                                   b'{"links": []}')
    assert x_lookup.refresh_for(alice)["servers"] == 0
    assert not [h for h in peer.server.hits if h[1] == LOOKUP]


# --- X ids are never public ------------------------------------------------------------------

def test_x_ids_never_appear_in_public_documents(pair, client):
    alice, bob = pair
    xc.set_findable(alice, True)
    xc.set_findable(bob, True)
    pages = [
        client.get("/@bob"), client.get("/@alice"),
        client.get("/users/bob", HTTP_ACCEPT="application/activity+json"),
        client.get("/.well-known/webfinger?resource=acct:bob@localhost:8000"),
        client.get(f"/api/v1/accounts/{bob.account.pk}"),
        client.get("/api/v1/accounts/lookup?acct=bob"),
        client.get("/nodeinfo/2.1"),
    ]
    assert all(p.status_code == 200 for p in pages), [p.status_code for p in pages]
    for page in pages:
        body = page.content.decode()
        for secret in (ALICE_X, BOB_X, STRANGER_X, "bob_x", "alice_x"):
            assert secret not in body, (page.request["PATH_INFO"], secret)


def test_the_owners_own_page_does_not_show_x_ids(pair, client):
    alice, bob = pair
    xc.set_findable(alice, True)
    xc.set_findable(bob, True)
    client.login(username="alice", password=PASSWORD)
    body = client.get(reverse("web:x_connections")).content.decode()
    assert "@bob" in body
    assert all(x not in body for x in (ALICE_X, BOB_X, STRANGER_X))


def test_accounts_leave_no_mapping_behind(pair):
    alice, bob = pair
    xc.set_findable(bob, True)
    Account.objects.filter(pk=bob.account.pk).delete()
    assert xc.lookup([BOB_X]) == []


def test_a_closed_account_takes_its_x_data_with_it(pair):
    from django.test import TestCase

    from rostra.accounts.deletion import delete_account

    alice, _ = pair
    with TestCase.captureOnCommitCallbacks(execute=True):
        delete_account(alice.account)
    assert not XIdentity.objects.filter(user=alice).exists()
    assert not XConnection.objects.filter(user=alice).exists()


def test_opening_the_page_schedules_a_lookup_at_most_daily(pair, client):
    alice, _ = pair
    xc.set_findable(alice, True)
    XIdentity.objects.filter(user=alice).update(refresh_requested_at=None)
    assert xc.refresh_if_stale(alice)
    assert not xc.refresh_if_stale(alice)  # asked a moment ago

"""Account migration across servers: a Mastodon-shaped ``Move`` received in our inbox,
the ``Move`` and actor document we send (what a Mastodon server checks), and two real
Rostra servers moving an account's followers from one to the other."""

from __future__ import annotations

import json

import pytest
from django.test import TestCase

from rostra.accounts import services as accounts
from rostra.accounts.models import Account, Follow, FollowRequest
from rostra.federation.models import Delivery, InboxActivity
from rostra.federation.remote import fetch_actor
from rostra.notifications.models import Notification
from rostra.portability import move as moving
from tests.federation.remote_rig import FakeRemote
from tests.federation.servers import RostraServer, logs_on_failure, running_servers, wait_for

BASE = "http://localhost:8000"
AS2 = {"HTTP_ACCEPT": "application/activity+json"}


def local_uri(account: Account) -> str:
    return f"{BASE}/users/{account.username}"


def follows_remotely(follower: Account, remote_account: Account) -> None:
    """``follower`` follows a remote account whose server accepted."""
    request = accounts.follow(follower, remote_account)
    accounts.accept_follow_request(remote_account, request)


def mastodon_move(remote: FakeRemote, name: str, target_uri: str) -> dict:
    """A ``Move`` as Mastodon's MoveSerializer writes it."""
    origin = remote.uri(name)
    return {"@context": "https://www.w3.org/ns/activitystreams",
            "id": f"{origin}#moves/1", "type": "Move", "actor": origin,
            "target": target_uri, "object": origin}


def outcome(activity: dict) -> InboxActivity:
    return InboxActivity.objects.get(activity_id=activity["id"])


# --- a Move received ----------------------------------------------------------------

def test_a_mastodon_move_to_a_local_account_that_aliases_it_moves_our_followers(
        client, remote, bob, carol):
    zoe = fetch_actor(remote.uri("zoe"))
    follows_remotely(carol, zoe)
    moving.add_alias(bob, remote.uri("zoe"))
    move = mastodon_move(remote, "zoe", local_uri(bob))
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert remote.deliver(client, move).status_code == 202
    assert outcome(move).status == InboxActivity.Status.PROCESSED
    assert Account.objects.get(pk=zoe.pk).moved_to == bob
    assert Follow.objects.filter(account=carol, target_account=bob).exists()
    assert not Follow.objects.filter(account=carol, target_account=zoe).exists()
    assert Notification.objects.filter(account=carol, from_account=zoe, type="move").exists()
    undo = [json.loads(d.payload) for d in Delivery.objects.all()]
    assert [(a["type"], a["object"]["type"]) for a in undo] == [("Undo", "Follow")]


def test_a_move_to_a_local_account_that_does_not_alias_it_is_refused(
        client, remote, bob, carol):
    zoe = fetch_actor(remote.uri("zoe"))
    follows_remotely(carol, zoe)
    move = mastodon_move(remote, "zoe", local_uri(bob))
    assert remote.deliver(client, move).status_code == 202
    assert outcome(move).status == InboxActivity.Status.IGNORED
    assert "alias" in outcome(move).error
    assert Account.objects.get(pk=zoe.pk).moved_to is None
    assert Follow.objects.filter(account=carol, target_account=zoe).exists()
    assert not Follow.objects.filter(account=carol, target_account=bob).exists()


def test_a_move_to_a_remote_account_asks_its_server_to_follow(client, remote, carol):
    zoe = fetch_actor(remote.uri("zoe"))
    follows_remotely(carol, zoe)
    remote.actor("yan", alsoKnownAs=[remote.uri("zoe")])
    move = mastodon_move(remote, "zoe", remote.uri("yan"))
    with TestCase.captureOnCommitCallbacks(execute=True):
        remote.deliver(client, move)
    yan = Account.objects.get(uri=remote.uri("yan"))
    request = FollowRequest.objects.get(account=carol, target_account=yan)
    sent = {json.loads(d.payload)["type"]: json.loads(d.payload) for d in
            Delivery.objects.all()}
    assert sent["Follow"]["id"] == request.uri
    assert sent["Follow"]["object"] == remote.uri("yan")


def test_a_move_checks_the_targets_current_aliases(client, remote, carol):
    zoe = fetch_actor(remote.uri("zoe"))
    follows_remotely(carol, zoe)
    remote.actor("yan", alsoKnownAs=[remote.uri("zoe")])
    fetch_actor(remote.uri("yan"))  # known with the alias...
    remote.actor("yan")  # ...which its server no longer lists
    move = mastodon_move(remote, "zoe", remote.uri("yan"))
    remote.deliver(client, move)
    assert outcome(move).status == InboxActivity.Status.IGNORED
    assert Follow.objects.filter(account=carol, target_account=zoe).exists()


def test_a_move_of_someone_else_is_refused(client, remote, bob, carol):
    remote.actor("mallory")
    zoe = fetch_actor(remote.uri("zoe"))
    follows_remotely(carol, zoe)
    moving.add_alias(bob, remote.uri("zoe"))
    move = {**mastodon_move(remote, "mallory", local_uri(bob)), "object": remote.uri("zoe")}
    remote.deliver(client, move)
    assert outcome(move).status == InboxActivity.Status.IGNORED
    assert Follow.objects.filter(account=carol, target_account=zoe).exists()


@pytest.mark.parametrize("target", [None, "", 42, ["not a url"], {"id": None}])
def test_a_move_without_a_usable_target_changes_nothing(client, remote, carol, target):
    zoe = fetch_actor(remote.uri("zoe"))
    follows_remotely(carol, zoe)
    move = {**mastodon_move(remote, "zoe", ""), "target": target}
    assert remote.deliver(client, move).status_code == 202
    assert outcome(move).status == InboxActivity.Status.IGNORED
    assert Follow.objects.filter(account=carol, target_account=zoe).exists()


def test_a_repeated_move_under_a_new_id_changes_nothing_more(client, remote, bob, carol):
    zoe = fetch_actor(remote.uri("zoe"))
    follows_remotely(carol, zoe)
    moving.add_alias(bob, remote.uri("zoe"))
    remote.deliver(client, mastodon_move(remote, "zoe", local_uri(bob)))
    again = {**mastodon_move(remote, "zoe", local_uri(bob)), "id": f"{remote.uri('zoe')}#m/2"}
    remote.deliver(client, again)
    assert outcome(again).status == InboxActivity.Status.PROCESSED
    assert Follow.objects.filter(account=carol, target_account=bob).count() == 1
    assert Notification.objects.filter(account=carol, type="move").count() == 1


# --- aliasing and moving to another server ---------------------------------------------

def test_a_remote_account_is_aliased_by_its_handle(remote, bob):
    remote.webfinger("zoe")
    moving.add_alias(bob, f"@zoe@{remote.domain}")
    assert Account.objects.get(pk=bob.pk).also_known_as == [remote.uri("zoe")]


def test_a_move_to_a_remote_account_that_does_not_alias_us_is_refused(remote, alice):
    remote.actor("newalice")
    with pytest.raises(moving.MoveError, match="alias"):
        moving.move_account(alice, remote.uri("newalice"))
    assert Account.objects.get(pk=alice.pk).moved_to is None


def test_moving_to_a_mastodon_account_sends_what_mastodon_checks(client, remote, alice):
    """Mastodon accepts a Move whose ``object`` is its signed ``actor`` and whose
    ``target`` lists that actor in ``alsoKnownAs``; followers' servers also get the
    actor's ``Update`` with ``movedTo``."""
    remote.deliver(client, remote.activity("zoe", "Follow", local_uri(alice)))
    remote.actor("newalice", alsoKnownAs=[local_uri(alice)])
    with TestCase.captureOnCommitCallbacks(execute=True):
        target = moving.move_account(alice, remote.uri("newalice"))
    assert target.uri == remote.uri("newalice")
    sent = {json.loads(d.payload)["type"]: d for d in Delivery.objects.all()}
    move = json.loads(sent["Move"].payload)
    assert move["actor"] == move["object"] == local_uri(alice)
    assert move["target"] == remote.uri("newalice")
    assert move["id"].startswith(local_uri(alice) + "#moves/")
    assert sent["Move"].inbox_url == f"{remote.base}/inbox" and sent["Move"].signer == alice
    update = json.loads(sent["Update"].payload)
    assert update["object"]["movedTo"] == remote.uri("newalice")
    actor = client.get("/users/alice", **AS2).json()
    assert actor["movedTo"] == remote.uri("newalice")
    assert actor["@context"][2]["movedTo"] == {"@id": "as:movedTo", "@type": "@id"}


def test_a_local_account_that_aliases_a_mastodon_one_serves_it_in_also_known_as(
        client, remote, bob):
    moving.add_alias(bob, remote.uri("zoe"))
    actor = client.get("/users/bob", **AS2).json()
    assert actor["alsoKnownAs"] == [remote.uri("zoe")]
    assert actor["@context"][2]["alsoKnownAs"] == {"@id": "as:alsoKnownAs", "@type": "@id"}


def test_local_followers_of_an_account_moving_away_ask_the_new_server(remote, alice, carol):
    accounts.follow(carol, alice)
    remote.actor("newalice", alsoKnownAs=[local_uri(alice)])
    with TestCase.captureOnCommitCallbacks(execute=True):
        moving.move_account(alice, remote.uri("newalice"))
    target = Account.objects.get(uri=remote.uri("newalice"))
    assert FollowRequest.objects.filter(account=carol, target_account=target).exists()
    assert not Follow.objects.filter(account=carol, target_account=alice).exists()
    follow = [json.loads(d.payload) for d in Delivery.objects.all()
              if json.loads(d.payload)["type"] == "Follow"]
    assert [f["object"] for f in follow] == [remote.uri("newalice")]


# --- two real servers ------------------------------------------------------------------

def manage(server: RostraServer, *args: str) -> str:
    """Run ``rostra move ...`` against ``server``'s database."""
    return server.rostra("move", *args, timeout=60).stdout


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    with running_servers(tmp_path_factory, ("alice", "dave"), ("bob", "erin"),
                         name="move") as started:
        yield started


def test_followers_on_both_servers_follow_the_new_account(servers):
    a, b = servers
    with logs_on_failure(a, b):
        _move_between(a, b)


def _move_between(a: RostraServer, b: RostraServer) -> None:
    alice_acct, bob_acct = f"alice@{a.domain}", f"bob@{b.domain}"
    dave, erin = a.api("dave"), b.api("erin")
    alice_on_a = dave.get("/api/v1/accounts/lookup", acct="alice")
    dave.post(f"/api/v1/accounts/{alice_on_a['id']}/follow")
    alice_on_b = erin.resolve(alice_acct)
    erin.post(f"/api/v1/accounts/{alice_on_b['id']}/follow")
    wait_for(lambda: erin.relationship(alice_on_b["id"])["following"],
             what="erin (B) to follow alice (A)")

    # bob (B) names alice as an alias; alice (A) moves to bob.
    manage(b, "alias", "bob", alice_acct)
    manage(a, "move", "alice", bob_acct)

    bob_on_a = dave.resolve(bob_acct)
    wait_for(lambda: dave.relationship(bob_on_a["id"])["following"],
             what="dave (A) to follow bob (B)")
    assert not dave.relationship(alice_on_a["id"])["following"]
    bob_on_b = erin.get("/api/v1/accounts/lookup", acct="bob")
    wait_for(lambda: erin.relationship(bob_on_b["id"])["following"],
             what="erin (B) to follow bob (B)")
    assert not erin.relationship(alice_on_b["id"])["following"]

    moved = dave.get("/api/v1/accounts/lookup", acct="alice")["moved"]
    assert moved and moved["acct"] == bob_acct
    notes = [n for n in erin.notifications() if n["type"] == "move"]
    assert notes and notes[0]["account"]["acct"] == alice_acct
    assert notes[0]["target"]["acct"] == "bob"

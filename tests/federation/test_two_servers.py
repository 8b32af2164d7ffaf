"""Two real Rostra servers federating with each other, driven through the Mastodon API.

Server A has alice and dave; server B has bob, carol (locked) and erin. Every action
is taken on one server and its result is looked for on the other, with deadlines
(deliveries leave through each server's in-process worker).

The steps share the two servers and depend on each other (a post reaches bob only
once bob follows alice), so they run in order inside one test; the failure message
names the step.
"""

from __future__ import annotations

import pytest

from tests.federation.servers import RostraServer, logs_on_failure, running_servers, wait_for

TIMEOUT = 15.0


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    with running_servers(tmp_path_factory, ("alice", "dave"), ("bob", "carol", "erin"),
                         name="server") as started:
        yield started


def _contains(statuses: list[dict], text: str) -> dict | None:
    return next((s for s in statuses if text in (s.get("content") or "")), None)


class World:
    """The accounts as each server sees them."""

    def __init__(self, a: RostraServer, b: RostraServer):
        self.a, self.b = a, b
        self.alice, self.dave = a.api("alice"), a.api("dave")
        self.bob, self.carol, self.erin = b.api("bob"), b.api("carol"), b.api("erin")
        self.alice_acct = f"alice@{a.domain}"
        self.bob_acct = f"bob@{b.domain}"
        self.carol_acct = f"carol@{b.domain}"


def test_two_servers_federate(servers):
    a, b = servers
    w = World(a, b)
    with logs_on_failure(a, b):
        _run(w)


def _run(w: World) -> None:
    a, b = w.a, w.b

    # Resolve: each side finds the other's account by handle.
    bob_on_a = w.alice.resolve(w.bob_acct)
    assert bob_on_a and bob_on_a["acct"] == w.bob_acct, f"resolve bob on A: {bob_on_a}"
    alice_on_b = w.bob.resolve(w.alice_acct)
    assert alice_on_b and alice_on_b["acct"] == w.alice_acct, f"resolve alice on B: {alice_on_b}"
    lookup = w.bob.get("/api/v1/accounts/lookup", acct=w.alice_acct)
    assert lookup["id"] == alice_on_b["id"]

    # Follow an open account: bob (B) follows alice (A); A accepts at once.
    rel = w.bob.post(f"/api/v1/accounts/{alice_on_b['id']}/follow")
    assert rel["following"] or rel["requested"], f"follow: {rel}"
    wait_for(lambda: w.bob.relationship(alice_on_b["id"])["following"], timeout=TIMEOUT,
             what="bob to be following alice after A's Accept")
    wait_for(lambda: w.alice.get("/api/v1/accounts/verify_credentials")["followers_count"] == 1,
             timeout=TIMEOUT, what="alice to have a follower on A")

    # Follow a locked account: alice (A) follows carol (B), carol accepts.
    w.carol.client.patch("/api/v1/accounts/update_credentials",
                         data={"locked": "true"}).raise_for_status()
    carol_on_a = w.alice.resolve(w.carol_acct)
    assert carol_on_a, "resolve carol on A"
    rel = w.alice.post(f"/api/v1/accounts/{carol_on_a['id']}/follow")
    assert rel["requested"] and not rel["following"], f"follow locked: {rel}"
    request = wait_for(lambda: w.carol.get("/api/v1/follow_requests"), timeout=TIMEOUT,
                       what="alice's follow request to reach carol on B")[0]
    assert request["acct"] == w.alice_acct
    w.carol.post(f"/api/v1/follow_requests/{request['id']}/authorize")
    wait_for(lambda: w.alice.relationship(carol_on_a["id"])["following"], timeout=TIMEOUT,
             what="carol's Accept to reach A")

    # Post: alice's public post reaches bob's home timeline on B.
    post = w.alice.post("/api/v1/statuses", status="Hello from server A", visibility="public")
    copy = wait_for(lambda: _contains(w.bob.home(), "Hello from server A"), timeout=TIMEOUT,
                    what="alice's post in bob's home on B")
    assert copy["account"]["acct"] == w.alice_acct
    assert copy["uri"] == post["uri"]

    # Reply: bob replies on B; the reply reaches alice with a mention notification.
    reply = w.bob.post("/api/v1/statuses", status=f"@{w.alice_acct} Hi alice, bob here",
                       in_reply_to_id=copy["id"], visibility="public")
    assert reply["in_reply_to_id"] == copy["id"]

    def mention_of(text):
        return lambda: next((n for n in w.alice.notifications() if n["type"] == "mention"
                             and text in n["status"]["content"]), None)
    note = wait_for(mention_of("bob here"), timeout=TIMEOUT, what="bob's reply notifying alice")
    assert note["status"]["in_reply_to_id"] == post["id"]
    context = w.alice.get(f"/api/v1/statuses/{post['id']}/context")
    assert _contains(context["descendants"], "bob here"), "the reply is in the thread on A"

    # Mention: alice mentions bob; bob is notified on B.
    w.alice.post("/api/v1/statuses", status=f"Ping @{w.bob_acct} on B", visibility="public")
    wait_for(lambda: next((n for n in w.bob.notifications() if n["type"] == "mention"
                           and "Ping" in n["status"]["content"]), None),
             timeout=TIMEOUT, what="alice's mention to notify bob")

    # Like and boost: bob favourites and boosts alice's post; alice is notified on A.
    w.bob.post(f"/api/v1/statuses/{copy['id']}/favourite")
    w.bob.post(f"/api/v1/statuses/{copy['id']}/reblog")
    wait_for(lambda: {"favourite", "reblog"} <= {n["type"] for n in w.alice.notifications()},
             timeout=TIMEOUT, what="bob's Like and Announce to notify alice")
    wait_for(lambda: w.alice.get(f"/api/v1/statuses/{post['id']}")["favourites_count"] == 1,
             timeout=TIMEOUT, what="the favourite count on A")
    assert w.alice.get(f"/api/v1/statuses/{post['id']}")["reblogs_count"] == 1

    # Edit: alice edits; bob's copy changes.
    w.alice.put(f"/api/v1/statuses/{post['id']}", status="Hello from server A, edited")
    wait_for(lambda: "edited" in w.bob.get(f"/api/v1/statuses/{copy['id']}")["content"],
             timeout=TIMEOUT, what="alice's edit to reach B")

    # Followers-only: reaches bob (a follower), not erin (on B, not a follower).
    secret = w.alice.post("/api/v1/statuses", status="Only for my followers",
                          visibility="private")
    private_copy = wait_for(lambda: _contains(w.bob.home(), "Only for my followers"),
                            timeout=TIMEOUT, what="the followers-only post at bob")
    assert private_copy["visibility"] == "private"
    assert w.erin.status_code(f"/api/v1/statuses/{private_copy['id']}") == 404
    assert not _contains(w.erin.get("/api/v1/timelines/public", limit=40), "Only for my")
    assert secret["visibility"] == "private"

    # Delete: alice deletes; the copy disappears on B.
    w.alice.delete(f"/api/v1/statuses/{post['id']}")
    wait_for(lambda: w.bob.status_code(f"/api/v1/statuses/{copy['id']}") == 404,
             timeout=TIMEOUT, what="alice's Delete to reach B")

    # Unfollow: alice stops following carol; B drops the follower.
    w.alice.post(f"/api/v1/accounts/{carol_on_a['id']}/unfollow")
    alice_at_carol = w.carol.resolve(w.alice_acct)
    wait_for(lambda: not w.carol.relationship(alice_at_carol["id"])["followed_by"],
             timeout=TIMEOUT, what="alice's Undo Follow to reach B")

    # Poll: alice asks on A; bob votes on B; the vote counts on A.
    asked = w.alice.post("/api/v1/statuses", status="Tea or coffee?", visibility="public",
                         poll={"options": ["Tea", "Coffee"], "expires_in": 3600})
    poll_copy = wait_for(lambda: _contains(w.bob.home(), "Tea or coffee?"), timeout=TIMEOUT,
                         what="alice's poll in bob's home on B")
    w.bob.post(f"/api/v1/polls/{poll_copy['poll']['id']}/votes", choices=["1"])
    wait_for(lambda: w.alice.get(f"/api/v1/polls/{asked['poll']['id']}")["votes_count"] == 1,
             timeout=TIMEOUT, what="bob's vote to count on A")
    counted = w.alice.get(f"/api/v1/polls/{asked['poll']['id']}")
    assert [o["votes_count"] for o in counted["options"]] == [0, 1]

    # Remove a follower: dave (A) is followed by erin (B), then removes her; B drops
    # the follow when A's Reject arrives.
    dave_on_b = w.erin.resolve(f"dave@{a.domain}")
    w.erin.post(f"/api/v1/accounts/{dave_on_b['id']}/follow")
    wait_for(lambda: w.erin.relationship(dave_on_b["id"])["following"], timeout=TIMEOUT,
             what="erin to be following dave")
    erin_on_a = w.dave.resolve(f"erin@{b.domain}")
    w.dave.post(f"/api/v1/accounts/{erin_on_a['id']}/remove_from_followers")
    wait_for(lambda: not w.erin.relationship(dave_on_b["id"])["following"], timeout=TIMEOUT,
             what="dave's Reject to end erin's follow on B")

    # Block: bob blocks alice; A ends the follow and knows bob blocks alice.
    w.bob.post(f"/api/v1/accounts/{alice_on_b['id']}/block")
    wait_for(lambda: w.alice.relationship(bob_on_a["id"])["blocked_by"], timeout=TIMEOUT,
             what="bob's Block to reach A")
    wait_for(lambda: not w.alice.relationship(bob_on_a["id"])["followed_by"], timeout=TIMEOUT,
             what="the block to end bob's follow on A")
    assert a.base != b.base

"""Three real Rostra servers: alice moves from A to B (as bob) while carol on C follows
her; carol ends up following bob; B brings alice's posts over live (LOLA: the OAuth
grant driven as a browser would), keeping their dates; A's old post addresses
redirect to the copies; C learns where the posts it held now live.

The alias and the move are made through ``portability.move`` (``rostra manage shell``),
the transfer through the web pages and the OAuth pages, as a browser would.
The steps depend on each other, so they run in order in one test; each failure
message names its step.
"""

from __future__ import annotations

import re
import subprocess

import httpx
import pytest

from tests import factories
from tests.federation.servers import PASSWORD, ROSTRA, RostraServer, running_servers, wait_for

TIMEOUT = 30.0
AS2 = "application/activity+json"


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    with running_servers(tmp_path_factory, ("alice",), ("bob",), ("carol",),
                         name="three") as started:
        yield started


def shell(server: RostraServer, code: str) -> str:
    done = subprocess.run([*ROSTRA, "manage", "shell", "-c", code], env=server.env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def csrf(page: httpx.Response) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert found, page.text[:2000]
    return found.group(1)


def form_fields(page: httpx.Response) -> dict:
    """The hidden inputs of the first form (the OAuth pages carry the request in them)."""
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))


def browser(server: RostraServer, username: str | None = None) -> httpx.Client:
    """A browser profile for one server (both run on 127.0.0.1: cookies would collide)."""
    client = httpx.Client(base_url=server.base, timeout=20, follow_redirects=False)
    if username:
        page = client.get("/auth/login")
        answer = client.post("/auth/login", data={
            "csrfmiddlewaretoken": csrf(page), "login": username, "password": PASSWORD})
        assert answer.status_code == 302, f"log-in on {server.base} failed"
    return client


def post(api, text: str, visibility: str = "public", **extra) -> dict:
    return api.post("/api/v1/statuses", status=text, visibility=visibility, **extra)


def test_a_move_with_posts_between_three_servers(servers):
    a, b, c = servers
    alice, bob, carol = a.api("alice"), b.api("bob"), c.api("carol")
    alice_acct, bob_acct = f"alice@{a.domain}", f"bob@{b.domain}"

    # 1. carol on C follows alice on A; alice posts, publicly and to followers only.
    alice_on_c = carol.resolve(alice_acct)
    carol.post(f"/api/v1/accounts/{alice_on_c['id']}/follow")
    wait_for(lambda: carol.relationship(alice_on_c["id"])["following"], timeout=TIMEOUT,
             what="step 1: carol follows alice")
    media = httpx.post(f"{a.base}/api/v1/media", headers=alice.client.headers,
                       files={"file": ("cat.png", factories.image_bytes(), "image/png")},
                       data={"description": "a cat"}).raise_for_status().json()
    first = post(alice, "First words from A", media_ids=[media["id"]])
    reply = post(alice, "A reply in my own thread", in_reply_to_id=first["id"])
    private = post(alice, "For my followers only", "private")
    originals = {s["uri"]: s for s in (first, reply, private)}
    held = wait_for(lambda: _find(carol.home(), "First words from A"), timeout=TIMEOUT,
                    what="step 1: carol sees alice's post")
    wait_for(lambda: _find(carol.home(), "For my followers only"), timeout=TIMEOUT,
             what="step 1: carol sees the followers-only post")

    # 2. alice names bob's account as hers (alias on B), then moves there from A.
    shell(b, "from rostra.accounts.services import find_account\n"
             "from rostra.portability.move import add_alias\n"
             f"add_alias(find_account('bob'), '{alice_acct}')")
    shell(a, "from rostra.accounts.services import find_account\n"
             "from rostra.portability.move import move_account\n"
             f"move_account(find_account('alice'), '{bob_acct}')")
    bob_on_c = carol.resolve(bob_acct)
    wait_for(lambda: carol.relationship(bob_on_c["id"])["following"], timeout=TIMEOUT,
             what="step 2: carol follows bob after the move")

    # 3. B brings alice's posts over: bob starts it, A asks alice, B copies.
    at_b, at_a = browser(b, "bob"), browser(a)
    page = at_b.get("/settings/transfer")
    started = at_b.post("/settings/transfer", data={
        "csrfmiddlewaretoken": csrf(page), "action": "start",
        "old_account": f"{a.base}/users/alice"})
    assert started.status_code == 302 and started.headers["location"].startswith(
        f"{a.base}/oauth/authorize"), f"step 3: start: {started.text[:500]}"
    login = at_a.get(started.headers["location"])
    consent = at_a.post("/oauth/authorize", data={
        **form_fields(login), "csrfmiddlewaretoken": csrf(login), "action": "login",
        "login": "alice", "password": PASSWORD})
    assert "followers-only posts" in consent.text, "step 3: the consent page"
    approved = at_a.post("/oauth/authorize", data={
        **form_fields(consent), "csrfmiddlewaretoken": csrf(consent), "action": "approve"})
    back = approved.headers["location"]
    assert back.startswith(f"{b.base}/settings/transfer/callback"), back
    assert at_b.get(back).status_code == 302

    bob_self = bob.get("/api/v1/accounts/verify_credentials")

    def copies() -> dict | None:
        found = bob.get(f"/api/v1/accounts/{bob_self['id']}/statuses", limit=40)
        return {s["content"]: s for s in found} if len(found) >= 3 else None

    copied = wait_for(copies, timeout=TIMEOUT, what="step 3: B shows alice's posts")
    for original in originals.values():
        copy = copied[original["content"]]
        # ActivityPub carries times to the second.
        assert copy["created_at"][:19] == original["created_at"][:19], "step 3: dates kept"
        assert copy["visibility"] == original["visibility"], "step 3: audience kept"
    assert copied[reply["content"]]["in_reply_to_id"] == copied[first["content"]]["id"]
    assert copied[first["content"]]["media_attachments"][0]["description"] == "a cat"

    # 4. A's old addresses redirect to the copies (301 for pages, a Tombstone for AP).
    old_page = first["url"]
    moved = wait_for(lambda: _status(httpx.get(old_page), 301), timeout=TIMEOUT,
                     what="step 4: the old page redirects")
    assert moved.headers["location"] == copied[first["content"]]["url"]
    tombstone = httpx.get(first["uri"], headers={"Accept": AS2})
    assert tombstone.status_code == 410 and tombstone.json()["type"] == "Tombstone"
    new_id = tombstone.json()["movedTo"]
    assert new_id.startswith(f"{b.base}/users/bob/statuses/"), new_id
    assert new_id.rsplit("/", 1)[1] == copied[first["content"]]["id"]

    # 5. C re-homed the posts it held: same post, now bob's, at its new address.
    def rehomed() -> dict | None:
        now = carol.get(f"/api/v1/statuses/{held['id']}")
        return now if now["uri"] == new_id else None

    now = wait_for(rehomed, timeout=TIMEOUT, what="step 5: C learns the new location")
    assert now["account"]["acct"] == bob_acct


def _find(statuses: list[dict], text: str) -> dict | None:
    return next((s for s in statuses if text in (s.get("content") or "")), None)


def _status(response: httpx.Response, code: int) -> httpx.Response | None:
    return response if response.status_code == code else None

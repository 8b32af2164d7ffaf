"""LOLA, the old server's side: the portability grant, the migration outbox, and the
redirects of posts whose copies the new server reported."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import TestCase

from rostra.accounts.models import Account, Follow
from rostra.api import oauth
from rostra.api import scopes as scope_rules
from rostra.api.scopes import PORTABILITY
from rostra.federation.models import Delivery, OutgoingActivity
from rostra.posts.models import Post
from tests import factories

AS2 = "application/activity+json"
BASE = "http://localhost:8000"


def grant(account: Account, scopes: str = PORTABILITY) -> str:
    app, _secret = oauth.create_application("Rostra at new.example",
                                            "https://new.example/cb", scopes)
    return oauth.issue_token(app, account.user, scopes.split()).access_token


def get(client, path: str, token: str = "", accept: str = AS2):
    extra = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.get(path, HTTP_ACCEPT=accept, **extra)


def outbox_items(client, account: Account, token: str = "") -> list[dict]:
    response = get(client, f"/users/{account.username}/outbox?page=true", token)
    assert response.status_code == 200
    return [item["object"] for item in response.json()["orderedItems"]]


@pytest.fixture
def posts_of_every_audience(alice, bob):
    return {v: factories.make_post(alice, f"{v} words @bob" if v == "direct" else f"{v} words",
                                   visibility=v)
            for v in ("public", "unlisted", "private", "direct")}


def test_portability_scope_is_known_and_covered_by_no_other_scope():
    assert scope_rules.parse(PORTABILITY) == [PORTABILITY]
    everything_else = sorted(scope_rules.ALL - {PORTABILITY})
    assert not scope_rules.allows(everything_else, PORTABILITY)


def test_actor_document_names_the_portability_authorization_endpoint(client, alice):
    document = get(client, "/users/alice").json()
    assert document["accountPortabilityOauth"] == f"{BASE}/oauth/authorize"
    assert "migration" not in document


def test_actor_document_with_the_grant_names_the_migration_collections(client, alice):
    document = get(client, "/users/alice", grant(alice)).json()
    assert document["migration"]["outbox"] == f"{BASE}/users/alice/outbox"
    assert document["migration"]["movedObjects"] == f"{BASE}/users/alice/migration/moved"


def test_outbox_without_a_grant_lists_only_public_and_unlisted_posts(
        client, alice, posts_of_every_audience):
    contents = {o["content"] for o in outbox_items(client, alice)}
    assert contents == {"<p>public words</p>", "<p>unlisted words</p>"}


def test_outbox_with_the_grant_lists_every_audience_with_full_objects(
        client, alice, bob, posts_of_every_audience):
    objects = outbox_items(client, alice, grant(alice))
    assert len(objects) == 4
    by_text = {o["content"].split(" ")[0].removeprefix("<p>"): o for o in objects}
    assert by_text["private"]["to"] == [f"{BASE}/users/alice/followers"]
    assert by_text["direct"]["to"] == [f"{BASE}/users/bob"]
    original = posts_of_every_audience["private"]
    assert by_text["private"]["published"] == original.published.strftime("%Y-%m-%dT%H:%M:%SZ")
    response = get(client, "/users/alice/outbox", grant(alice))
    assert response.json()["totalItems"] == 4
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("whose, scopes", [("bob", PORTABILITY), ("alice", "read write"),
                                           ("alice", "read")])
def test_any_other_bearer_token_is_refused_and_shows_no_private_post(
        client, alice, bob, posts_of_every_audience, whose, scopes):
    token = grant(alice if whose == "alice" else bob, scopes)
    response = get(client, "/users/alice/outbox?page=true", token)
    assert response.status_code == 401
    assert b"private words" not in response.content and b"direct words" not in response.content
    assert get(client, "/users/alice", token).status_code == 401


def test_a_revoked_grant_is_refused(client, alice, posts_of_every_audience):
    token = grant(alice)
    app = oauth.find_token(token).application
    oauth.revoke(app, token)
    assert get(client, "/users/alice/outbox?page=true", token).status_code == 401


def test_authorizing_the_portability_scope_returns_the_granted_actor(client, alice):
    app, _secret = oauth.create_application("Rostra at new.example",
                                            "https://new.example/cb", PORTABILITY)
    client.force_login(alice.user)
    params = {"response_type": "code", "client_id": app.client_id, "scope": PORTABILITY,
              "redirect_uri": "https://new.example/cb", "state": "s1"}
    page = client.get("/oauth/authorize", params)
    assert b"followers-only posts and direct messages" in page.content
    answer = client.post("/oauth/authorize", {**params, "action": "approve"})
    query = parse_qs(urlsplit(answer["Location"]).query)
    assert query["activitypub_actor"] == [f"{BASE}/users/alice"]
    assert query["state"] == ["s1"] and query["code"]


# --- the copies' report and the redirects -------------------------------------------

def move(account: Account, target: Account) -> None:
    Account.objects.filter(pk=account.pk).update(moved_to=target)


def report(client, account: Account, token: str, actor: str, items: list[dict]):
    return client.post(f"/users/{account.username}/migration/moved",
                       json.dumps({"actor": actor, "items": items}),
                       content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")


def item(old: Post, new: Post) -> dict:
    return {"object": f"{BASE}/users/{old.account.username}/statuses/{old.pk}",
            "target": f"{BASE}/users/{new.account.username}/statuses/{new.pk}",
            "url": f"{BASE}/@{new.account.username}/{new.pk}"}


def test_reported_copies_redirect_the_old_addresses(client, alice, bob):
    old, copy = factories.make_post(alice, "old words"), factories.make_post(bob, "old words")
    move(alice, bob)
    answer = report(client, alice, grant(alice), f"{BASE}/users/bob", [item(old, copy)])
    assert answer.status_code == 200 and answer.json()["recorded"] == 1
    page = client.get(f"/@alice/{old.pk}")
    assert page.status_code == 301 and page["Location"] == f"{BASE}/@bob/{copy.pk}"
    assert client.get(f"/users/alice/statuses/{old.pk}").status_code == 301
    for path in (f"/users/alice/statuses/{old.pk}", f"/@alice/{old.pk}"):
        gone = get(client, path)
        assert gone.status_code == 410
        assert gone.json()["type"] == "Tombstone"
        assert gone.json()["movedTo"] == item(old, copy)["target"]


def test_the_report_is_refused_until_the_account_moved_there(client, alice, bob, carol):
    old, copy = factories.make_post(alice, "old words"), factories.make_post(bob, "old words")
    token = grant(alice)
    assert report(client, alice, token, f"{BASE}/users/bob", [item(old, copy)]).status_code == 409
    move(alice, carol)  # moved, but elsewhere
    assert report(client, alice, token, f"{BASE}/users/bob", [item(old, copy)]).status_code == 409
    old.refresh_from_db()
    assert old.moved_to_uri == ""
    assert client.get(f"/@alice/{old.pk}").status_code == 200


def test_the_report_needs_the_grant_of_the_old_account(client, alice, bob):
    old, copy = factories.make_post(alice, "old words"), factories.make_post(bob, "old words")
    move(alice, bob)
    answer = report(client, alice, grant(bob), f"{BASE}/users/bob", [item(old, copy)])
    assert answer.status_code == 401
    assert report(client, alice, "", f"{BASE}/users/bob", [item(old, copy)]).status_code == 401


def test_the_report_skips_targets_off_the_new_server_and_posts_of_others(client, alice, bob):
    old, copy = factories.make_post(alice, "old words"), factories.make_post(bob, "old words")
    someone_elses = factories.make_post(bob, "not alice's")
    move(alice, bob)
    elsewhere = {**item(old, copy), "target": "https://evil.example/notes/1"}
    answer = report(client, alice, grant(alice), f"{BASE}/users/bob",
                    [elsewhere, item(someone_elses, copy), "not an object"])
    assert answer.json()["recorded"] == 0 and len(answer.json()["skipped"]) == 3
    assert not Post.objects.exclude(moved_to_uri="").exists()


def test_a_malformed_report_is_a_clear_error_and_records_nothing(client, alice, bob):
    move(alice, bob)
    answer = client.post("/users/alice/migration/moved", b"{not json",
                         content_type="application/json",
                         HTTP_AUTHORIZATION=f"Bearer {grant(alice)}")
    assert answer.status_code == 400 and "JSON" in answer.json()["error"]


def test_servers_that_received_the_old_post_are_told_where_it_moved(client, alice, bob):
    carol = Account.objects.create(username="carol", domain="c.example",
                                   uri="https://c.example/users/carol",
                                   inbox_url="https://c.example/users/carol/inbox")
    Follow.objects.create(account=carol, target_account=alice)
    old = factories.make_post(alice, "old words")
    copy = factories.make_post(bob, "old words")
    move(alice, bob)
    with TestCase.captureOnCommitCallbacks(execute=False):
        report(client, alice, grant(alice), f"{BASE}/users/bob", [item(old, copy)])
    notice = OutgoingActivity.objects.get(type="Move")
    body = json.loads(notice.payload)
    assert (body["actor"], body["object"], body["target"]) == (
        f"{BASE}/users/alice", item(old, copy)["object"], item(old, copy)["target"])
    assert list(Delivery.objects.filter(activity=notice).values_list("inbox_url", flat=True)) \
        == ["https://c.example/users/carol/inbox"]


def test_the_new_server_answers_redirect_ap_obj_with_its_copy(client, bob):
    copy = factories.make_post(bob, "copied words", uri="https://old.example/notes/1")
    found = client.get("/users/bob", {"redirect_ap_obj": "https://old.example/notes/1"})
    assert found.status_code == 301 and found["Location"] == f"{BASE}/@bob/{copy.pk}"
    as_json = get(client, "/users/bob?redirect_ap_obj=https://old.example/notes/1")
    assert as_json["Location"] == f"{BASE}/users/bob/statuses/{copy.pk}"
    missing = client.get("/users/bob", {"redirect_ap_obj": "https://old.example/notes/2"})
    assert missing.status_code == 404

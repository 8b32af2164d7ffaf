"""Hash feeds between servers: this server publishes its victims' list, signed; a
subscriber pulls it from a loopback "peer" serving those very bytes (and the
instance actor's document, with its key) and keeps its copy in step."""

from __future__ import annotations

import base64
import json
import secrets

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from rostra.federation import hash_feeds
from rostra.federation.keys import instance_actor
from rostra.federation.serializers.actor import serialize_instance_actor
from rostra.safety import events, matching, ncii
from rostra.safety.lists import import_list
from rostra.safety.models import HashEntry, HashList

pytestmark = pytest.mark.django_db
FEED_PATH = "/safety/feeds/ncii-victims.json"


def image() -> dict:
    return {"sha256": secrets.token_hex(32), "md5": secrets.token_hex(16),
            "pdq": secrets.token_hex(32), "quality": 90}


def hashes_of(name: str) -> set[tuple[str, str]]:
    return set(HashEntry.objects.filter(hash_list__name=name).values_list(
        "signal_type", "value"))


@pytest.fixture(autouse=True)
def _rig(settings):
    settings.ROSTRA_FEDERATION_ALLOW_HTTP = True
    settings.ROSTRA_FEDERATION_ALLOW_PRIVATE = True
    settings.ROSTRA_HASH_INDEX_REFRESH = 0
    cache.clear()
    hash_feeds._published.clear()
    matching.reset()
    yield
    matching.reset()


class Peer:
    """The loopback server standing in for another Rostra: it serves what this
    server published while ``ROSTRA_DOMAIN`` named the loopback host."""

    def __init__(self, server, client, settings):
        self.server, self.client, self.settings = server, client, settings
        self.authority = server.base.removeprefix("http://")
        self.url = server.base + FEED_PATH

    def as_peer(self, fn):
        self.settings.ROSTRA_DOMAIN = self.authority
        try:
            return fn()
        finally:
            self.settings.ROSTRA_DOMAIN = "localhost:8000"

    def publish(self) -> bytes:
        """Serve the current feed (and the actor document); return the feed's bytes."""
        response = self.as_peer(lambda: self.client.get(FEED_PATH))
        assert response.status_code == 200
        self.serve(response.content, etag=response["ETag"])
        actor = self.as_peer(serialize_instance_actor)
        self.server.routes["/actor"] = (200, {"Content-Type": "application/activity+json"},
                                        json.dumps(actor).encode())
        return response.content

    def serve(self, body: bytes, *, etag: str = '"x"') -> None:
        self.server.routes[FEED_PATH] = (200, {"Content-Type": "application/json",
                                               "ETag": etag}, body)

    def signed(self, document: dict) -> bytes:
        """``document`` signed with the instance actor's key, as the peer would."""
        key = serialization.load_pem_private_key(instance_actor().private_key.encode(), None)
        value = key.sign(hash_feeds.canonical(document), padding.PKCS1v15(), hashes.SHA256())
        document["signature"] = {"type": hash_feeds.SIGNATURE_TYPE,
                                 "creator": f"{self.server.base}/actor#main-key",
                                 "created": document["generated"],
                                 "signatureValue": base64.b64encode(value).decode()}
        return json.dumps(document).encode()


@pytest.fixture
def peer(http_server, client, settings):
    return Peer(http_server, client, settings)


@pytest.fixture
def submission():
    """One victim's submission on the (peer's) victims' list: (number, secret)."""
    sub, secret = ncii.submit([image()])
    return sub.number, secret


# --- publishing -------------------------------------------------------------------

def test_victims_list_is_published_signed_with_hashes_only(client, submission):
    response = client.get(FEED_PATH)
    assert response.status_code == 200 and response["Content-Type"].startswith(
        "application/json")
    document = json.loads(response.content)
    assert (document["type"], document["list"], document["kind"]) == (
        "RostraHashFeed", "ncii-victims", "ncii")
    assert {(e["signal_type"], e["value"]) for e in document["entries"]} == hashes_of(
        "ncii-victims")
    assert all(set(e) == {"signal_type", "value", "quality"} for e in document["entries"])
    assert submission[0].encode() not in response.content
    signature = document["signature"]
    assert signature["type"] == "RostraFeedSignature"
    assert signature["creator"] == "http://localhost:8000/actor#main-key"
    public = serialization.load_pem_public_key(instance_actor().public_key.encode())
    public.verify(base64.b64decode(signature["signatureValue"]),
                  hash_feeds.canonical(document), padding.PKCS1v15(), hashes.SHA256())


def test_only_victims_lists_are_published(client):
    import_list(f"md5 {'a' * 32}\n", name="ncmec", kind="csam", action="block")
    assert client.get("/safety/feeds/ncmec.json").status_code == 404
    assert client.get("/safety/feeds/nothing.json").status_code == 404


def test_an_unchanged_feed_answers_304_and_a_changed_one_200(client, submission):
    tag = client.get(FEED_PATH)["ETag"]
    again = client.get(FEED_PATH, HTTP_IF_NONE_MATCH=tag)
    assert again.status_code == 304 and again["ETag"] == tag and again.content == b""
    ncii.submit([image()])
    changed = client.get(FEED_PATH, HTTP_IF_NONE_MATCH=tag)
    assert changed.status_code == 200 and changed["ETag"] != tag


# --- subscribing ------------------------------------------------------------------

def test_subscribing_copies_the_peers_hashes(peer, submission):
    peer.publish()
    hash_list = hash_feeds.subscribe(peer.url, name="peer-ncii", action="review")
    assert (hash_list.source, hash_list.kind, hash_list.action, hash_list.feed_url) == (
        "feed", "ncii", "review", peer.url)
    assert hashes_of("peer-ncii") == hashes_of("ncii-victims") and len(hashes_of(
        "peer-ncii")) == 3


def test_a_new_hash_on_the_peer_is_taken_and_announced_on_the_next_pull(
        peer, submission, django_capture_on_commit_callbacks):
    peer.publish()
    hash_list = hash_feeds.subscribe(peer.url, name="peer-ncii")
    fingerprints = image()
    ncii.submit([fingerprints])
    peer.publish()
    announced = []

    def receiver(sender, hash_list, entries, **kwargs):
        announced.extend(e.value for e in entries)

    events.hashes_added.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            report = hash_feeds.pull(hash_list)
    finally:
        events.hashes_added.disconnect(receiver)
    assert (report.status, report.added, report.removed) == ("updated", 3, 0)
    assert fingerprints["sha256"] in announced
    found = matching.match(sha256=fingerprints["sha256"])
    assert "peer-ncii" in {m.list_name for m in found}


def test_a_withdrawn_submission_disappears_on_the_next_pull(peer, submission):
    kept, _ = ncii.submit([image()])
    peer.publish()
    hash_list = hash_feeds.subscribe(peer.url, name="peer-ncii")
    assert len(hashes_of("peer-ncii")) == 6
    assert ncii.withdraw(*submission)
    peer.publish()
    report = hash_feeds.pull(hash_list)
    assert (report.status, report.added, report.removed) == ("updated", 0, 3)
    assert hashes_of("peer-ncii") == hashes_of("ncii-victims")


def test_a_tampered_feed_is_refused_and_the_entries_are_kept(peer, submission):
    body = peer.publish()
    hash_list = hash_feeds.subscribe(peer.url, name="peer-ncii")
    before = hashes_of("peer-ncii")
    document = json.loads(body)
    document["entries"][0]["value"] = "0" * len(document["entries"][0]["value"])
    peer.serve(json.dumps(document).encode())
    report = hash_feeds.pull(hash_list)
    assert report.status == "refused" and "does not match" in report.errors[0]
    assert hashes_of("peer-ncii") == before
    assert hash_feeds.last_pull(hash_list)["status"] == "refused"


def test_a_key_of_another_server_is_refused(peer, submission):
    document = json.loads(peer.publish())
    document["signature"]["creator"] = "http://localhost:8000/actor#main-key"
    peer.serve(json.dumps(document).encode())
    with pytest.raises(hash_feeds.FeedError, match="another server"):
        hash_feeds.subscribe(peer.url, name="peer-ncii")
    assert not HashList.objects.filter(name="peer-ncii").exists()


def test_malformed_entries_are_refused_and_reported(peer, submission):
    document = json.loads(peer.publish())
    del document["signature"]
    document["entries"] += [{"signal_type": "pdq", "value": "xyz", "quality": 90},
                            {"signal_type": "sha1", "value": "a" * 40, "quality": None}]
    peer.serve(peer.signed(document))
    with pytest.raises(hash_feeds.FeedError) as refused:
        hash_feeds.subscribe(peer.url, name="peer-ncii")
    assert "2 malformed entries" in str(refused.value)
    assert "entry 4" in str(refused.value) and "entry 5" in str(refused.value)


@pytest.mark.parametrize("body", [b"{not json", b"[]", b'{"type": "Note"}'])
def test_a_feed_that_is_not_a_feed_is_refused(peer, submission, body):
    peer.publish()
    hash_list = hash_feeds.subscribe(peer.url, name="peer-ncii")
    before = hashes_of("peer-ncii")
    peer.serve(body)
    assert hash_feeds.pull(hash_list).status == "refused"
    assert hashes_of("peer-ncii") == before


def test_an_older_feed_than_the_last_one_is_refused(peer, submission):
    older = peer.publish()
    ncii.submit([image()])
    peer.publish()
    hash_list = hash_feeds.subscribe(peer.url, name="peer-ncii")
    peer.serve(older)
    report = hash_feeds.pull(hash_list)
    assert report.status == "refused" and "older" in report.errors[0]
    assert len(hashes_of("peer-ncii")) == 6


def test_the_subscriber_revalidates_with_the_etag(peer, submission):
    peer.publish()
    hash_list = hash_feeds.subscribe(peer.url, name="peer-ncii")
    tag = peer.server.routes[FEED_PATH][1]["ETag"]
    peer.server.routes[FEED_PATH] = (304, {"ETag": tag}, b"")
    report = hash_feeds.pull(hash_list)
    assert report.status == "unchanged" and len(hashes_of("peer-ncii")) == 3
    headers = [h for method, path, h in peer.server.hits if path == FEED_PATH][-1]
    assert headers.get("If-None-Match") == tag


@hypothesis_settings(max_examples=200, deadline=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=70),
                    lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.sampled_from(
                        ["type", "kind", "list", "generated", "entries", "signal_type",
                         "value", "quality"]), inner, max_size=6), max_leaves=20))
def test_parsing_any_json_raises_only_feed_error(data):
    try:
        hash_feeds.parse(data)
    except hash_feeds.FeedError:
        pass


# --- the periodic pull and the command ---------------------------------------------

def test_a_starting_worker_keeps_one_periodic_pull_queued():
    from django_tasks_db.models import DBTaskResult

    hash_feeds.start_pulling()
    hash_feeds.start_pulling()
    path = hash_feeds.pull_feeds_task.module_path
    assert DBTaskResult.objects.filter(task_path=path).count() == 1
    hash_feeds.pull_feeds_task.call()  # a second chain's run: it merges into the queued one
    assert DBTaskResult.objects.filter(task_path=path).count() == 1


def test_the_periodic_pull_pulls_every_feed_and_comes_back(peer, submission, settings):
    from django_tasks_db.models import DBTaskResult

    settings.ROSTRA_HASH_FEED_INTERVAL = 60
    peer.publish()
    hash_feeds.subscribe(peer.url, name="peer-ncii")
    ncii.submit([image()])
    peer.publish()
    assert hash_feeds.pull_feeds_task.call() == 1
    assert len(hashes_of("peer-ncii")) == 6
    queued = DBTaskResult.objects.get(task_path=hash_feeds.pull_feeds_task.module_path)
    assert 50 < (queued.run_after - queued.enqueued_at).total_seconds() <= 61


def test_the_command_subscribes_pulls_and_lists(peer, submission, capsys):
    peer.publish()
    call_command("hashfeed", "subscribe", peer.url, "--name", "peer-ncii")
    call_command("hashfeed", "pull", "--name", "peer-ncii")
    call_command("hashfeed", "list")
    out = capsys.readouterr().out
    assert "Subscribed: peer-ncii (ncii, block), 3 hashes." in out
    assert "peer-ncii: " in out and peer.url in out
    assert "Published: ncii-victims http://localhost:8000" + FEED_PATH in out.replace("  ", " ")
    peer.serve(b"{}")
    with pytest.raises(CommandError, match="refused"):
        call_command("hashfeed", "pull")

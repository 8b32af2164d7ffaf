"""The streaming API with real clients (an SSE reader over httpx, the
``websockets`` client) against a real ``rostra serve`` with two web processes:
events arrive within a second, and only to those who may see them."""

from __future__ import annotations

import json
import queue
import threading
import time

import httpx
import pytest

from tests.api.live import password_token, running_server

websockets_sync = pytest.importorskip("websockets.sync.client")

WITHIN = 1.0  # seconds


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with running_server(tmp_path_factory.mktemp("rostra-streaming"),
                        ("alice", "bob", "carol"), web_processes=2) as base:
        yield base


@pytest.fixture(scope="module")
def tokens(server):
    found = {name: password_token(server, name) for name in ("alice", "bob", "carol")}
    alice_id = _get(server, found["alice"], "/api/v1/accounts/verify_credentials")["id"]
    bob_id = _get(server, found["bob"], "/api/v1/accounts/verify_credentials")["id"]
    _post(server, found["bob"], f"/api/v1/accounts/{alice_id}/follow")
    found["alice_id"], found["bob_id"] = alice_id, bob_id
    return found


def _auth(token):
    return {"Authorization": f"Bearer {token}"}


def _get(base, token, path, **params):
    answer = httpx.get(base + path, headers=_auth(token), params=params)
    answer.raise_for_status()
    return answer.json()


def _post(base, token, path, body=None):
    answer = httpx.post(base + path, headers=_auth(token), json=body or {})
    answer.raise_for_status()
    return answer.json()


class SseReader:
    """Reads a Server-Sent Events response in a thread; ``next_event`` waits."""

    def __init__(self, base, path, token=None, params=None):
        self.events: queue.Queue = queue.Queue()
        self.ready = threading.Event()
        self.client = httpx.Client(timeout=httpx.Timeout(5, read=60))
        headers = _auth(token) if token else {}
        self.thread = threading.Thread(target=self._run, args=(base + path, headers, params),
                                       daemon=True)
        self.thread.start()
        assert self.ready.wait(5), "the stream did not open"

    def _run(self, url, headers, params):
        try:
            with self.client.stream("GET", url, headers=headers, params=params) as answer:
                self.status = answer.status_code
                self.ready.set()
                event = None
                for line in answer.iter_lines():
                    if line.startswith("event: "):
                        event = line[7:]
                    elif line.startswith("data: "):
                        self.events.put((event, line[6:]))
        except httpx.HTTPError:
            pass
        finally:
            self.ready.set()

    def next_event(self, timeout=3.0):
        return self.events.get(timeout=timeout)

    def close(self):
        self.client.close()


def _ws(server, query="", **kwargs):
    return websockets_sync.connect(server.replace("http://", "ws://") + "/api/v1/streaming"
                                   + query, open_timeout=5, **kwargs)


def _ws_event(ws, event, timeout=3.0):
    deadline = time.monotonic() + timeout
    while True:
        message = json.loads(ws.recv(timeout=max(0.01, deadline - time.monotonic())))
        if message.get("event") == event:
            return message


def test_health_answers_ok(server):
    answer = httpx.get(server + "/api/v1/streaming/health")
    assert answer.status_code == 200 and answer.text == "OK"


def test_sse_user_stream_gets_a_followed_post_within_a_second(server, tokens):
    reader = SseReader(server, "/api/v1/streaming/user", tokens["bob"])
    try:
        assert reader.status == 200
        time.sleep(0.3)
        started = time.monotonic()
        post = _post(server, tokens["alice"], "/api/v1/statuses", {"status": "over SSE"})
        event, data = reader.next_event()
        while event != "update":
            event, data = reader.next_event()
        assert time.monotonic() - started < WITHIN
        assert json.loads(data)["id"] == post["id"]
    finally:
        reader.close()


def test_sse_notification_stream_gets_a_mention(server, tokens):
    reader = SseReader(server, "/api/v1/streaming/user/notification",
                       params={"access_token": tokens["bob"]})
    try:
        time.sleep(0.3)
        started = time.monotonic()
        _post(server, tokens["carol"], "/api/v1/statuses", {"status": "hi @bob"})
        event, data = reader.next_event()
        assert event == "notification"
        assert time.monotonic() - started < WITHIN
        payload = json.loads(data)
        assert payload["type"] == "mention" and payload["account"]["username"] == "carol"
    finally:
        reader.close()


def test_websocket_public_stream_gets_update_then_delete(server, tokens):
    with _ws(server, "?stream=public&access_token=" + tokens["carol"]) as ws:
        time.sleep(0.3)
        started = time.monotonic()
        post = _post(server, tokens["alice"], "/api/v1/statuses", {"status": "for everyone"})
        message = _ws_event(ws, "update")
        assert time.monotonic() - started < WITHIN
        assert message["stream"] == ["public"]
        assert json.loads(message["payload"])["id"] == post["id"]
        started = time.monotonic()
        httpx.delete(server + f"/api/v1/statuses/{post['id']}",
                     headers=_auth(tokens["alice"])).raise_for_status()
        message = _ws_event(ws, "delete")
        assert time.monotonic() - started < WITHIN
        assert message["payload"] == post["id"]


def test_websocket_user_stream_gets_notification_with_header_token(server, tokens):
    with _ws(server, "?stream=user", additional_headers=_auth(tokens["bob"])) as ws:
        time.sleep(0.3)
        _post(server, tokens["alice"], "/api/v1/statuses", {"status": "ping @bob"})
        message = _ws_event(ws, "notification")
        assert message["stream"] == ["user"]
        assert json.loads(message["payload"])["type"] == "mention"


def test_websocket_subprotocol_token_and_subscribe_message(server, tokens):
    with _ws(server, subprotocols=[tokens["carol"]]) as ws:
        assert ws.subprotocol == tokens["carol"]
        ws.send(json.dumps({"type": "subscribe", "stream": "hashtag", "tag": "Cats"}))
        time.sleep(0.3)
        post = _post(server, tokens["alice"], "/api/v1/statuses", {"status": "look #cats"})
        message = _ws_event(ws, "update")
        assert message["stream"] == ["hashtag", "Cats"]
        assert json.loads(message["payload"])["id"] == post["id"]


def test_followers_only_post_is_not_streamed_to_a_non_follower(server, tokens):
    with _ws(server, "?stream=user&access_token=" + tokens["carol"]) as carol, \
            _ws(server, "?stream=user&access_token=" + tokens["bob"]) as bob:
        carol.send(json.dumps({"type": "subscribe", "stream": "public"}))
        time.sleep(0.3)
        secret = _post(server, tokens["alice"], "/api/v1/statuses",
                       {"status": "followers only", "visibility": "private"})
        message = _ws_event(bob, "update")
        assert json.loads(message["payload"])["id"] == secret["id"]
        visible = _post(server, tokens["alice"], "/api/v1/statuses", {"status": "public"})
        message = _ws_event(carol, "update")
        # The public post is the first thing carol gets: the private one never came.
        assert json.loads(message["payload"])["id"] == visible["id"]


def test_a_bad_token_is_refused(server):
    with pytest.raises(Exception):  # noqa: B017 - the handshake is refused
        with _ws(server, "?stream=user&access_token=nonsense"):
            pass
    assert httpx.get(server + "/api/v1/streaming/user",
                     params={"access_token": "nonsense"}).status_code == 401


def test_user_stream_needs_a_token(server):
    assert httpx.get(server + "/api/v1/streaming/user").status_code == 401

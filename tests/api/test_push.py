"""Web Push: ``/api/v1/push/subscription`` and delivery to a real loopback push
service that checks the VAPID JWT against the server key and decrypts the
message with the subscriber's private key (RFC 8291/8292)."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from rostra.api import oauth
from rostra.notifications import webpush
from rostra.notifications.models import PushSubscription
from rostra.posts import services as posts
from tests import factories

pytestmark = pytest.mark.django_db


class Subscriber:
    """A browser's side: a P-256 key pair and an auth secret."""

    def __init__(self):
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.auth = b"0123456789abcdef"
        self.p256dh = webpush.b64u_encode(webpush.public_point(self.private_key.public_key()))
        self.auth_b64 = webpush.b64u_encode(self.auth)


class PushService:
    """A loopback push service: records each request, answers ``status``."""

    def __init__(self, status=201):
        self.requests: list[dict] = []
        self.status = status
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                service.requests.append({"path": self.path, "headers": dict(self.headers),
                                         "body": body})
                self.send_response(service.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def service(settings):
    settings.ROSTRA_FEDERATION_ALLOW_HTTP = True
    settings.ROSTRA_FEDERATION_ALLOW_PRIVATE = True
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    running = PushService()
    yield running
    running.close()


def _subscribe(client, endpoint, subscriber, alerts=None, policy="all"):
    return client.post("/api/v1/push/subscription", {
        "subscription": {"endpoint": endpoint,
                         "keys": {"p256dh": subscriber.p256dh, "auth": subscriber.auth_b64}},
        "data": {"alerts": alerts or {"favourite": True, "mention": True}, "policy": policy},
    })


def _verify_vapid(header: str, server_key: str, origin: str) -> dict:
    assert header.startswith("vapid ")
    parts = dict(p.strip().split("=", 1) for p in header[len("vapid "):].split(","))
    assert parts["k"] == server_key
    public = ec.EllipticCurvePublicKey.from_encoded_point(
        ec.SECP256R1(), webpush.b64u_decode(parts["k"]))
    head, claims, signature = parts["t"].split(".")
    raw = webpush.b64u_decode(signature)
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    try:
        public.verify(der, f"{head}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        pytest.fail("the VAPID JWT signature does not verify with the server key")
    assert json.loads(webpush.b64u_decode(head)) == {"typ": "JWT", "alg": "ES256"}
    body = json.loads(webpush.b64u_decode(claims))
    assert body["aud"] == origin
    assert time.time() < body["exp"] <= time.time() + 24 * 3600
    assert body["sub"].startswith("mailto:")
    return body


def test_subscribe_show_update_delete(api, alice, oauth_app):
    client = api(alice, "read write push")
    subscriber = Subscriber()
    made = _subscribe(client, "https://push.example/abc", subscriber)
    assert made.status_code == 200, made.content
    body = made.json()
    assert body["endpoint"] == "https://push.example/abc" and body["policy"] == "all"
    assert body["alerts"]["favourite"] is True and body["alerts"]["follow"] is False
    assert body["server_key"] and body["standard"] is True
    assert client.get("/api/v1/push/subscription").json() == body
    changed = client.put("/api/v1/push/subscription",
                         {"data": {"alerts": {"follow": True}, "policy": "followed"}}).json()
    assert changed["alerts"]["follow"] is True and changed["alerts"]["favourite"] is True
    assert changed["policy"] == "followed"
    assert client.put("/api/v1/push/subscription",
                      {"data": {"policy": "everyone"}}).status_code == 422
    assert client.delete("/api/v1/push/subscription").json() == {}
    assert client.get("/api/v1/push/subscription").status_code == 404
    assert api(alice).get("/api/v1/instance").status_code == 200
    server_key = api(alice).get("/api/v2/instance").json()["configuration"]["vapid"]
    assert server_key["public_key"] == body["server_key"]


def test_one_subscription_per_token_and_bad_keys(api, alice):
    client = api(alice, "push")
    subscriber = Subscriber()
    first = _subscribe(client, "https://push.example/1", subscriber).json()
    second = _subscribe(client, "https://push.example/2", subscriber).json()
    assert PushSubscription.objects.count() == 1 and first["id"] != second["id"]
    other = api(alice, "push")
    assert other.get("/api/v1/push/subscription").status_code == 404
    bad = Subscriber()
    bad.p256dh = "not-a-key"
    assert _subscribe(client, "https://push.example/3", bad).status_code == 422
    assert _subscribe(client, "ftp://push.example/3", subscriber).status_code == 422


def test_push_needs_the_push_scope(api, anon, alice):
    assert api(alice, "read write").get("/api/v1/push/subscription").status_code == 403
    assert anon.get("/api/v1/push/subscription").status_code == 401


def test_revoking_the_token_ends_its_subscription(alice, oauth_app, token_for):
    from tests.api.conftest import ApiClient

    plain = token_for(alice, "push")
    _subscribe(ApiClient(plain), "https://push.example/r", Subscriber())
    assert PushSubscription.objects.count() == 1
    oauth.revoke(oauth_app, plain)
    assert PushSubscription.objects.count() == 0


def test_a_favourite_is_pushed_encrypted_and_signed(api, alice, bob, service,
                                                    django_capture_on_commit_callbacks,
                                                    token_for):
    from tests.api.conftest import ApiClient

    subscriber = Subscriber()
    plain = token_for(alice, "read push")
    made = _subscribe(ApiClient(plain), service.origin + "/push/alice", subscriber).json()
    post = factories.make_post(alice, "a post worth a like")
    with django_capture_on_commit_callbacks(execute=True):
        posts.favourite(bob, post)
    assert len(service.requests) == 1
    request = service.requests[0]
    headers = {k.lower(): v for k, v in request["headers"].items()}
    assert request["path"] == "/push/alice"
    assert headers["content-encoding"] == "aes128gcm"
    assert int(headers["ttl"]) > 0 and headers["urgency"] == "normal"
    _verify_vapid(headers["authorization"], made["server_key"], service.origin)
    message = json.loads(webpush.decrypt(request["body"], subscriber.private_key,
                                         subscriber.auth))
    notification = api(alice).get("/api/v1/notifications").json()[0]
    assert message == {
        "access_token": plain,
        "preferred_locale": message["preferred_locale"],
        "notification_id": notification["id"],
        "notification_type": "favourite",
        "icon": message["icon"],
        "title": "bob favourited your post",
        "body": "a post worth a like",
    }
    assert message["icon"].startswith("http")


def test_alerts_and_policy_decide_what_is_pushed(api, alice, bob, service,
                                                 django_capture_on_commit_callbacks):
    client = api(alice, "push")
    _subscribe(client, service.origin + "/p", Subscriber(), alerts={"mention": True},
               policy="followed")
    post = factories.make_post(alice, "x")
    with django_capture_on_commit_callbacks(execute=True):
        posts.favourite(bob, post)  # favourites not asked for
    factories.make_post(bob, "hey @alice")  # bob is not followed
    assert service.requests == []


def test_gone_subscription_is_deleted(api, alice, bob, service,
                                      django_capture_on_commit_callbacks):
    service.status = 410
    _subscribe(api(alice, "push"), service.origin + "/gone", Subscriber())
    post = factories.make_post(alice, "x")
    with django_capture_on_commit_callbacks(execute=True):
        posts.favourite(bob, post)
    assert len(service.requests) == 1
    assert PushSubscription.objects.count() == 0


def test_encryption_round_trip_rejects_bad_keys():
    subscriber = Subscriber()
    sealed = webpush.encrypt(b'{"a": 1}', subscriber.p256dh, subscriber.auth_b64)
    assert webpush.decrypt(sealed, subscriber.private_key, subscriber.auth) == b'{"a": 1}'
    with pytest.raises(webpush.WebPushError):
        webpush.encrypt(b"x", subscriber.p256dh, "c2hvcnQ")
    with pytest.raises(webpush.WebPushError):
        webpush.encrypt(b"x", "AAAA", subscriber.auth_b64)


def test_encryption_matches_rfc_8291_appendix_a():
    sender = ec.derive_private_key(int.from_bytes(webpush.b64u_decode(
        "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw"), "big"), ec.SECP256R1())
    out = webpush.encrypt(
        b"When I grow up, I want to be a watermelon",
        "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4",
        "BTBZMqHH6r4Tts7J_aSIgg", salt=webpush.b64u_decode("DGv6ra1nlYgDCS1FRnbzlw"),
        sender_key=sender)
    assert webpush.b64u_encode(out) == (
        "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLoc"
        "InmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLV"
        "WGNWQexSgSxsj_Qulcy4a-fN")

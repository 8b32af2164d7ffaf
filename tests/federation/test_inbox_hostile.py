"""The inbox under hostile input: each refusal has its status and stores nothing."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta

import pytest

from rostra.accounts.models import Account, Follow
from rostra.federation.inbox import MAX_BODY
from rostra.federation.models import DomainAllow, DomainBlock, FederationSettings, InboxActivity
from rostra.posts.models import Post
from tests.federation.remote_rig import AS2


def follow_of(remote, alice, name="zoe"):
    return remote.activity(name, "Follow", f"http://localhost:8000/users/{alice.username}")


def nothing_stored():
    return (InboxActivity.objects.count(), Follow.objects.count(), Post.objects.count()) == (
        0, 0, 0)


def test_unsigned_post_is_refused(client, remote, alice):
    response = client.post("/inbox", b'{"id": "x"}', content_type=AS2)
    assert response.status_code == 401 and nothing_stored()


def test_signature_by_the_wrong_key_is_refused(client, remote, alice, other_rsa_pair):
    response = remote.deliver(client, follow_of(remote, alice), keys=other_rsa_pair)
    assert response.status_code == 401 and nothing_stored()


def test_tampered_body_is_refused(client, remote, alice):
    note = remote.note("zoe")
    response = remote.deliver(client, remote.activity("zoe", "Create", note), tamper=True)
    assert response.status_code == 401 and nothing_stored()


def test_stale_date_is_refused(client, remote, alice):
    response = remote.deliver(client, follow_of(remote, alice),
                              now=datetime.now(UTC) - timedelta(hours=3))
    assert response.status_code == 401 and nothing_stored()


def test_key_of_another_actor_than_the_activity_actor_is_refused(client, remote, alice,
                                                                   other_rsa_pair):
    remote.actor("mallory", keys=other_rsa_pair)
    response = remote.deliver(client, follow_of(remote, alice), name="mallory")
    assert response.status_code == 401 and nothing_stored()


def test_forwarded_create_is_believed_only_as_its_origin_serves_it(client, remote, alice,
                                                                     other_rsa_pair):
    remote.actor("mallory", keys=other_rsa_pair)
    mention = [{"type": "Mention", "href": "http://localhost:8000/users/alice"}]
    genuine = remote.note("zoe", "<p>genuine</p>", tag=mention)
    remote.serve(genuine["id"].split(remote.base)[1], genuine)
    forged = {**genuine, "content": "<p>forged</p>"}
    response = remote.deliver(client, remote.activity("zoe", "Create", forged), name="mallory")
    assert response.status_code == 202
    assert Post.objects.get().content == "<p>genuine</p>"


def test_malformed_json_is_a_bad_request(client, remote, alice):
    response = remote.deliver(client, b"{not json", name="zoe")
    assert response.status_code == 400 and nothing_stored()


def test_activity_id_on_another_server_is_a_bad_request(client, remote, alice):
    activity = {**follow_of(remote, alice), "id": "https://elsewhere.example/follow/1"}
    assert remote.deliver(client, activity).status_code == 400 and nothing_stored()


class EndlessBody(io.RawIOBase):
    """50 MB of body, produced on demand; counts what the server read."""

    def __init__(self, size):
        self.left, self.read_bytes = size, 0

    def readable(self):
        return True

    def readinto(self, buffer):
        n = min(len(buffer), self.left)
        buffer[:n] = b" " * n
        self.left -= n
        self.read_bytes += n
        return n


def test_a_body_over_the_cap_is_refused_without_reading_it(client, remote, alice):
    size = 50 * 1024 * 1024
    stream = EndlessBody(size)
    response = client.generic("POST", "/inbox", b"x", content_type=AS2,
                              CONTENT_LENGTH=str(size), **{"wsgi.input": stream})
    assert response.status_code == 413
    assert stream.read_bytes <= MAX_BODY + 1 and nothing_stored()


def test_a_suspended_domain_is_refused(client, remote, alice):
    DomainBlock.objects.create(domain="127.0.0.1", severity="suspend")
    response = remote.deliver(client, follow_of(remote, alice))
    assert response.status_code == 403 and nothing_stored()
    assert not Account.objects.filter(domain=remote.domain).exists()


def test_allow_list_mode_refuses_servers_not_on_the_list(client, remote, alice):
    FederationSettings.objects.update_or_create(pk=1, defaults={"allowlist_mode": True})
    assert remote.deliver(client, follow_of(remote, alice)).status_code == 403
    assert nothing_stored()
    DomainAllow.objects.create(domain="127.0.0.1")
    assert remote.deliver(client, follow_of(remote, alice)).status_code == 202


def test_a_rotated_key_is_refetched_once(client, remote, alice, other_rsa_pair):
    remote.deliver(client, follow_of(remote, alice))
    remote.actor("zoe", keys=other_rsa_pair)  # the server rotated zoe's key
    like = remote.activity("zoe", "Undo", follow_of(remote, alice))
    assert remote.deliver(client, like).status_code == 202
    assert Account.objects.get(uri=remote.uri("zoe")).public_key == other_rsa_pair[1]


@pytest.mark.parametrize("value", [b"Infinity", b"NaN", b"-Infinity", b'"a\\u0000b"'])
def test_json_postgresql_cannot_store_is_refused_on_every_database(client, remote, alice,
                                                                   value):
    # Python's parser accepts these; PostgreSQL's jsonb refuses them (a 500 before).
    activity = remote.activity("zoe", "Create", "PLACEHOLDER")
    raw = json.dumps(activity).encode().replace(b'"PLACEHOLDER"', value)
    response = remote.deliver(client, raw, name="zoe")
    assert response.status_code == 400 and b"Malformed activity" in response.content
    assert nothing_stored()

"""WebFinger, host-meta and NodeInfo."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

BASE = "http://localhost:8000"


def test_webfinger_finds_a_local_account(client, alice):
    response = client.get("/.well-known/webfinger", {"resource": "acct:alice@localhost:8000"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/jrd+json"
    jrd = response.json()
    assert jrd["subject"] == "acct:alice@localhost:8000"
    assert f"{BASE}/users/alice" in jrd["aliases"]
    assert f"{BASE}/@alice" in jrd["aliases"]
    links = {link["rel"]: link for link in jrd["links"]}
    assert links["self"] == {"rel": "self", "type": "application/activity+json",
                             "href": f"{BASE}/users/alice"}
    assert links["http://webfinger.net/rel/profile-page"]["href"] == f"{BASE}/@alice"
    assert "{uri}" in links["http://ostatus.org/schema/1.0/subscribe"]["template"]


@pytest.mark.parametrize("resource", [
    "acct:ALICE@localhost:8000", "acct:alice@localhost", "alice@localhost:8000",
    f"{BASE}/users/alice", f"{BASE}/@alice",
])
def test_webfinger_understands_resource_forms(client, alice, resource):
    response = client.get("/.well-known/webfinger", {"resource": resource})
    assert response.status_code == 200
    assert response.json()["subject"] == "acct:alice@localhost:8000"


@pytest.mark.parametrize("resource", [
    "acct:nobody@localhost:8000", "acct:alice@elsewhere.example", "acct:alice",
    "https://elsewhere.example/users/alice", f"{BASE}/users/nobody", "acct:@localhost:8000",
])
def test_webfinger_unknown_resources_are_404(client, alice, resource):
    response = client.get("/.well-known/webfinger", {"resource": resource})
    assert response.status_code == 404


def test_webfinger_without_resource_is_400(client):
    assert client.get("/.well-known/webfinger").status_code == 400


def test_webfinger_for_a_suspended_account_is_404(client, alice):
    from django.utils import timezone

    type(alice).objects.filter(pk=alice.pk).update(suspended_at=timezone.now())
    response = client.get("/.well-known/webfinger", {"resource": "acct:alice@localhost:8000"})
    assert response.status_code == 404


def test_webfinger_finds_the_instance_actor(client, db):
    response = client.get("/.well-known/webfinger", {"resource": "acct:localhost@localhost:8000"})
    assert response.status_code == 200
    links = {link["rel"]: link for link in response.json()["links"]}
    assert links["self"]["href"] == f"{BASE}/actor"


def test_host_meta_points_to_webfinger(client):
    response = client.get("/.well-known/host-meta")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xrd+xml")
    assert (f'template="{BASE}/.well-known/webfinger?resource={{uri}}"'
            in response.content.decode())


def test_nodeinfo_index_links_both_versions(client):
    links = client.get("/.well-known/nodeinfo").json()["links"]
    assert {link["rel"]: link["href"] for link in links} == {
        "http://nodeinfo.diaspora.software/ns/schema/2.0": f"{BASE}/nodeinfo/2.0",
        "http://nodeinfo.diaspora.software/ns/schema/2.1": f"{BASE}/nodeinfo/2.1",
    }


@pytest.mark.parametrize("version", ["2.0", "2.1"])
def test_nodeinfo_has_every_required_field(client, make_post, alice, bob, version):
    make_post(alice, "one")
    make_post(bob, "two", visibility="private")
    response = client.get(f"/nodeinfo/{version}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert f"schema/{version}#" in response["Content-Type"]
    info = response.json()
    assert info["version"] == version
    assert info["software"]["name"] == "rostra"
    assert info["software"]["version"]
    assert info["protocols"] == ["activitypub"]
    assert info["services"] == {"inbound": [], "outbound": []}
    assert info["openRegistrations"] is True
    assert info["usage"]["users"] == {"total": 2, "activeMonth": 2, "activeHalfyear": 2}
    assert info["usage"]["localPosts"] == 2
    assert info["metadata"]["nodeName"]
    assert info["metadata"]["upstream"] == {"name": "mastodon", "version": "4.3.0"}


def test_nodeinfo_reports_closed_registrations(client, db):
    from rostra.accounts.services import update_site_settings

    update_site_settings(registration_mode="closed")
    assert client.get("/nodeinfo/2.0").json()["openRegistrations"] is False


def test_unknown_nodeinfo_version_is_404(client):
    assert client.get("/nodeinfo/1.0").status_code == 404
